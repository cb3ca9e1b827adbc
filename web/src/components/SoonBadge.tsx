import { Badge } from './Badge';

export const SoonBadge = () => <Badge tone="info">Coming soon</Badge>;
