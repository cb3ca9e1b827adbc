/** Small formatting shared by the fact categories: yes/no for flags, and how many rows a long list shows at first. */
export const yesNo = (v: boolean | null) => (v === null ? '—' : v ? 'yes' : 'no');

export const SHOWN = 200;
