/**
 * Names that suggest protected health information, for fields the source model does not know yet (the
 * model's own `phi:` flags win for the fields it has). The brief for the audit names these families:
 * names, dates of birth, emails, phones, addresses and notes; identifiers of health or insurance
 * schemes are added because they identify a person as surely as a name does. Any `<something>_name`
 * counts as a name (a guardian's, a next of kin's, a medication's: the shipped model flags
 * `medication_name` too), and sex or gender as the model flags `sex`: a field flagged wrongly only
 * has its values left out, one missed has them written into the model.
 */
const FAMILIES: readonly { readonly reason: string; readonly pattern: RegExp }[] = [
  {
    reason: 'a person name',
    pattern:
      /(^|_)(first|last|middle|given|family|full|preferred|maiden|birth)_?name$|(^|_)(surname|forename|nickname)$/,
  },
  { reason: 'a name', pattern: /[a-z0-9]_name$/ },
  { reason: 'sex or gender', pattern: /(^|_)(sex|gender)(_|$)/ },
  { reason: 'a date of birth', pattern: /(^|_)(dob|date_of_birth|birth_?date|birthday)$/ },
  { reason: 'an email address', pattern: /(^|_)e_?mail(_address)?(_\d+)?$/ },
  { reason: 'a phone number', pattern: /(^|_)(phone|mobile|telephone|tel|fax|cell)(_[a-z0-9]+)?$/ },
  {
    reason: 'an address',
    pattern:
      /(^|_)(address(_line)?(_\d+)?|street|city|town|county|postcode|post_code|postal_code|zip(_code)?|house_number)$/,
  },
  {
    reason: 'free-text notes',
    pattern: /(^|_)(notes?|comments?|body|remarks?|observations?|history|alerts?)$/,
  },
  {
    reason: 'a health or insurance identifier',
    pattern: /(^|_)(nhs|ssn|social_security|medicare|medicaid|policy|member|insurance)_?(number|no|id)?$/,
  },
  { reason: 'clinical information', pattern: /(^|_)(diagnos[ie]s|allerg(y|ies)|medications?|symptoms?)$/ },
];

/** Why a field name looks like PHI, or undefined when it does not. */
export function phiByName(name: string): string | undefined {
  const normal = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');
  return FAMILIES.find((f) => f.pattern.test(normal))?.reason;
}
