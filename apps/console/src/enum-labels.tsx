import { LANGUAGES, useI18n, type LabelKey } from './i18n.js';

/**
 * The product's coded values as officers read them: each family's label is `<family>.<code>` in
 * the locales (apps/gateway/src/console-enum-labels.spec.ts checks that every value the product
 * defines has one in every language). The code itself stays in the title, for quoting.
 */
export type EnumFamily =
  | 'procedure'
  | 'state'
  | 'messageType'
  | 'senderRole'
  | 'role'
  | 'accountKind'
  | 'messageStatus'
  | 'clockStatus'
  | 'direction';

const REFERENCE = LANGUAGES.en.labels;

/** The label of a coded value, or the code itself for a value the console does not know yet. */
export function useEnumLabel(): (family: EnumFamily, code: string) => string {
  const { t } = useI18n();
  return (family, code) => {
    const key = `${family}.${code}` as LabelKey;
    return key in REFERENCE ? t(key) : code;
  };
}

/** A coded value shown by its label, the code in its title. */
export function EnumValue({ family, code }: { family: EnumFamily; code: string }) {
  const label = useEnumLabel();
  return <span title={code}>{label(family, code)}</span>;
}
