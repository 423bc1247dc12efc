import type { Translate } from '../../i18n/i18n.js';
import type { Locale } from '../../i18n/i18n.js';
import type { FieldErrors } from '../../shared/errors.js';
import { stageName } from './pipeline-stages.js';
import { RULE_FIELD, type StageRuleError } from './stage-rules.js';

/** One sentence per broken stage rule, naming the stages, for the page's alert. */
export function ruleMessages(t: Translate, locale: Locale, err: StageRuleError): string[] {
  const params = { from: stageName(err.from, locale), to: stageName(err.to, locale) };
  return err.broken.map((rule) => t(`opportunities.rule.${rule}`, params));
}

/** The same rules as field errors, for the edit form. */
export function ruleFieldErrors(err: StageRuleError): FieldErrors {
  const errors: FieldErrors = {};
  for (const rule of err.broken) errors[RULE_FIELD[rule]] = { key: `opportunities.rule.${rule}` };
  return errors;
}
