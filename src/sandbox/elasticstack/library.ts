/**
 * The ElasticHosts standard library: the drives real clients hard-code or list, under their own UUIDs and names.
 * `2014` entries are the library ElasticHosts served from `/drives/info/standard` (what jclouds reads at run time);
 * `2011` entries are the older drives Apache Libcloud's ElasticHosts driver hard-codes and images new nodes from
 * (their compressed sizes are the sandbox's estimate; the raw sizes are the ones the driver states). Every disk
 * image boots the same sandbox SSH host; the names differ so that image choice is exercised.
 */
export interface StandardDrive {
  readonly id: string;
  readonly name: string;
  readonly media: 'disk' | 'cdrom';
  /** Bytes as stored: compressed for a gzip disk image, the plain size of a CD image. */
  readonly size: number;
  /** Disk images are gzip; CD images are served as they are. */
  readonly format: 'gzip' | undefined;
  /** Bytes once unpacked: what a drive imaged from it needs. */
  readonly rawsize: number;
  /** Which published library the drive comes from. */
  readonly origin: '2011' | '2014';
}

const disk = (
  id: string,
  name: string,
  size: number,
  rawsize: number,
  origin: StandardDrive['origin'],
): StandardDrive => ({
  id,
  name,
  media: 'disk',
  size,
  format: 'gzip',
  rawsize,
  origin,
});

const cdrom = (id: string, name: string, size: number): StandardDrive => ({
  id,
  name,
  media: 'cdrom',
  size,
  format: undefined,
  rawsize: size,
  origin: '2014',
});

export const STANDARD_DRIVES: readonly StandardDrive[] = [
  disk('ce85ef47-9794-4ed7-a8bd-af902ec0eddc', 'Debian Linux 7.4 (Wheezy)', 184549376, 1073741824, '2014'),
  disk('82890da7-a036-4427-ac24-caea6c644a2f', 'Ubuntu 14.04 LTS (Trusty Tahr)', 264241152, 1073741824, '2014'),
  disk(
    '62f512cd-82c7-498e-88d8-a09ac2ef20e7',
    'Ubuntu Linux 12.04.1 LTS (Precise Pangolin)',
    201326592,
    1073741824,
    '2014',
  ),
  disk('4f31382b-5098-4610-8993-bbebb844febd', 'Ubuntu Linux 13.10 (Saucy Salamander)', 230686720, 1073741824, '2014'),
  disk('cdea53be-2511-4c91-9779-f6421f623a49', 'Windows Server 2012', 7671382016, 15032385536, '2014'),
  disk('7b9807cc-3c92-425f-878c-1d45927f3f9c', 'Windows Server 2012 + SQL', 17192452096, 32212254720, '2014'),
  disk('61ef248d-6616-4378-9702-9101870741d2', 'Windows Server 2012 R2', 5368709120, 10737418240, '2014'),
  disk('6c0c3072-f55f-4dd2-9308-951dacf41ce3', 'Windows Standard 2008 R2', 4345298944, 9663676416, '2014'),
  disk('63677762-4423-464f-92fd-5c43d449a716', 'Windows Standard 2008 R2 + SQL', 14050918400, 20401094656, '2014'),
  disk('11b84345-7169-4279-8038-18d6ba1a7712', 'Windows Web Server 2008 R2', 4743757824, 11811160064, '2014'),
  disk('b23e81b9-103e-4f9d-8ce5-b57bb529007c', 'Windows Web Server 2008 R2 + SQL', 14357102592, 20401094656, '2014'),
  disk('8d5c93b8-e4e4-4943-b41e-873576b7fcd1', 'centOS Linux 6.5', 218103808, 1073741824, '2014'),
  disk('38df0986-4d85-4b76-b502-3878ffc80161', 'CentOS Linux 5.5', 644245094, 3221225472, '2011'),
  disk('980cf63c-f21e-4382-997b-6541d5809629', 'Debian Linux 5.0', 214748364, 1073741824, '2011'),
  disk('aee5589a-88c3-43ef-bb0a-9cab6e64192d', 'Ubuntu Linux 10.04', 214748364, 1073741824, '2011'),
  disk('b9d0eb72-d273-43f1-98e3-0d4b87d372c0', 'Windows Web Server 2008', 5583457484, 13958643712, '2011'),
  disk('30824e97-05a4-410c-946e-2ba5a92b07cb', 'Windows Web Server 2008 R2', 5583457484, 13958643712, '2011'),
  disk(
    '9ecf810e-6ad1-40ef-b360-d606f0444671',
    'Windows Web Server 2008 R2 + SQL Server',
    5583457484,
    13958643712,
    '2011',
  ),
  disk('10a88d1c-6575-46e3-8d2c-7744065ea530', 'Windows Server 2008 Standard R2', 5583457484, 13958643712, '2011'),
  disk(
    '2567f25c-8fb8-45c7-95fc-bfe3c3d84c47',
    'Windows Server 2008 Standard R2 + SQL Server',
    5583457484,
    13958643712,
    '2011',
  ),
  cdrom('65cb106c-3dff-4f27-9607-f25bbe0a3fc6', 'Debian 7.4 DVD', 3955228672),
  cdrom('8eeaa0d5-9696-4fb2-b34e-ccca28f54138', 'Fedora 19 Install DVD', 4445962240),
  cdrom('4d0971b5-9780-4b42-a0a0-ea06a0669b8b', 'Fedora 20 Install DVD', 4605345792),
  cdrom('07a08d47-1f24-4c99-a080-ea6b38502c66', 'FreeBSD 10.0 DVD', 2487222272),
  cdrom('321eaeb7-a5a5-4ffd-9a62-db1d0ffd133f', 'FreeBSD 9.2 DVD', 2554331136),
  cdrom('cf0dfc73-2ab2-4317-a515-698ed4097c90', 'Knoppix 7.2 DVD', 4114612224),
  cdrom('696a3dee-c29d-4bd2-afb9-06e995702b65', 'Linux Mint 16 (Petra) DVD', 1329594368),
  cdrom('3f9ddec5-0f9e-4879-85fb-e412abe0cb37', 'Microsoft SQL Express 2012', 5507121152),
  cdrom('e58ad21f-c53f-47a1-95bd-c6d614a59d2d', 'System Rescue CD 4.0.1', 473956352),
  cdrom('7fed7f41-7af7-42d9-bbf6-d96427757bc4', 'Ubuntu 12.04.4 Desktop DVD', 771751936),
  cdrom('50f8aa7a-090e-413a-8be9-e0ef498b7012', 'Ubuntu 12.04.4 Server DVD', 713031680),
  cdrom('a8e87123-1d88-4bd4-ba60-3a42248f7bc0', 'Ubuntu 13.10 Desktop DVD', 926941184),
  cdrom('00798d0a-1081-4590-8b6c-af1f927e209c', 'Ubuntu 13.10 Server DVD', 704643072),
  cdrom('92f4a7e9-daa2-45f1-967c-cf460cf5bca1', 'Ubuntu 14.04 LTS Desktop Live CD', 1010827264),
  cdrom('9dfbbe29-5352-415a-9f7c-70ec7409b684', 'Ubuntu 14.04 LTS Server Install CD', 591396864),
  cdrom('5a4419f8-6c39-490c-87e9-21e33a1c8add', 'Virtio Drivers 1.74', 62914560),
  cdrom('554f5ed7-811a-400d-9f96-3f829a2bc145', 'Windows 2012 R2 Evaluation CD', 5368709120),
  cdrom('6cf6b5e4-f54f-4525-876b-d07123791880', 'Windows Server 2008 R2 Trial Install CD', 3170893824),
  cdrom('f89af28e-ff00-4fc9-a7ed-22e7fa5a88db', 'Windows Server 2008 Trial Install CD', 2663383040),
  cdrom('0cc82095-a967-4e93-af04-9e265fbb4251', 'Windows Server 2012 Install CD', 3695181824),
  cdrom('dde6f196-a4bd-4ca7-b631-4d84d69b9490', 'Windows Server 2012 R2 Install CD', 4479516672),
  cdrom('7aead6d3-c3e6-4940-85c7-f5ee61f6ef2b', 'Windows Web Server 2008 Trial Install CD', 2248146944),
  cdrom('312ccda0-c3b2-4cac-911b-68b82a498075', 'arch Linux 2014-03-01', 553648128),
  cdrom('f42919f6-f535-44cd-bc9f-6bb6e44d05d8', 'centOS 6.5 Live DVD', 1874853888),
];

/** Readers value meaning "everyone". */
export const EVERYONE = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
