import type { components } from '../../api/schema';
import { type Tone } from '../../components/Badge';

/** What the privacy operations page's parts share: disclosure kinds and their labels and tones. */
export type Disclosure = components['schemas']['Disclosure'];

export type Kind = Disclosure['kind'];

export const KIND_LABEL: Record<Kind, string> = {
  partner: 'Partner',
  legal: 'Legal request',
  transfer: 'Merger or acquisition transfer',
};

export const STATUS_TONE: Record<Disclosure['status'], Tone> = {
  recorded: 'neutral',
  planned: 'warn',
  notifying: 'info',
  done: 'ok',
};

export type Count = { key: string; count: number };
