/**
 * Where the mess lives. Every case below occurs at scale 1 at the stated record indices (n is the
 * 0-based index within its resource; ids ascend with n) and repeats with the same period at larger
 * scales, so tests and samples can find each one deterministically.
 *
 * clinics
 * - index 2: name longer than 160 characters (Dataverse `account.name` MaxLength 160).
 * - index 3: no phone, email or website; the parent (index 0) has no address line 2.
 * patients (period 50, 100, 150, 250 or 2000)
 * - n % 50 == 7: same email as patient n-1 (family members sharing an address).
 * - n % 50 == 11: invalid email (`john@`, `a@b`, `x@@y.com`, spaces, ...).
 * - n % 100 == 13: first name missing (null); n % 100 == 29: last name missing (null);
 *   n % 200 == 57: last name an empty string.
 * - n % 12 == 5: at two clinics; n % 40 == 9: at three clinics (clinic_assignments with distinct updated_at).
 * - n % 150 == 21: emoji in the first name; n % 150 == 22: control character (TAB, BEL, NUL, U+2028) in a name.
 * - n % 250 == 31: date of birth before 1900; n % 2000 in {1001, 1502}: date of birth before 1753.
 * - n % 2000 == 77: first name longer than 50 characters (Dataverse `contact.firstname` MaxLength 50).
 * - n % 2000 == 78: email longer than 100 characters (Dataverse `emailaddress1` MaxLength 100).
 * - custom properties: every type, each null for some patients (see patients.ts).
 * - phones in many formats, with extensions and junk ('N/A', '0', 'call reception'): everywhere.
 * practitioners (period 25)
 * - n % 25 in {4, 17, 22}: inactive (left); 4 and 17 are practitioners who still own past appointments.
 * - n % 25 in {9, 20}: no email.
 * - n % 25 in {13, 14}: two receptionists sharing one email.
 * clinical notes (period 4000)
 * - n % 4000 in {17, 1717, 3333}: body longer than 100,000 characters (120k, 180k, 250k).
 * - n % 4000 in {40, 400, 1400, 2400, 3400}: body between 32,768 and 100,000 characters.
 * - n % 100 == 3: emoji, control characters and U+2028/U+2029 in the body.
 * insurance policies (period 20, 200)
 * - n % 20 == 3: carrier unknown to any list; n % 200 == 199: second primary policy of the same patient.
 * payments (period 40)
 * - n % 40 in {7, 19, 33}: method code outside the documented enum (`cheque`, `crypto`, `giftcard`, ...).
 * referral sources: every type occurs; physicians and external clinics carry an organisation name.
 * files (period 100): n % 100 in {5, 33, 58, 90} over 5 MB; {12, 66} between 3.75 and 5 MB (over the
 *   5 MB attachment limit only once Base64-encoded); {42, 71} over 20 MB.
 */
export const MESS = {
  clinics: { longName: 2, bare: 3 },
  patients: {
    duplicateEmail: (n: number): boolean => n % 50 === 7,
    invalidEmail: (n: number): boolean => n % 50 === 11,
    missingFirstName: (n: number): boolean => n % 100 === 13,
    missingLastName: (n: number): boolean => n % 100 === 29,
    emptyLastName: (n: number): boolean => n % 200 === 57,
    twoClinics: (n: number): boolean => n % 12 === 5,
    threeClinics: (n: number): boolean => n % 40 === 9,
    emojiName: (n: number): boolean => n % 150 === 21,
    controlCharName: (n: number): boolean => n % 150 === 22,
    dobBefore1900: (n: number): boolean => n % 250 === 31,
    dobBefore1753: (n: number): boolean => n % 2000 === 1001 || n % 2000 === 1502,
    longFirstName: (n: number): boolean => n % 2000 === 77,
    longEmail: (n: number): boolean => n % 2000 === 78,
  },
  practitioners: {
    inactive: (n: number): boolean => [4, 17, 22].includes(n % 25),
    noEmail: (n: number): boolean => [9, 20].includes(n % 25),
    sharedEmail: (n: number): boolean => [13, 14].includes(n % 25),
  },
  clinicalNotes: {
    /** Target body length for the long-note cases, or undefined for an ordinary note. */
    longBody: (n: number): number | undefined =>
      ({
        17: 120_000,
        1717: 180_000,
        3333: 250_000,
        40: 33_000,
        400: 48_000,
        1400: 64_000,
        2400: 81_000,
        3400: 99_000,
      })[n % 4000],
    oddCharacters: (n: number): boolean => n % 100 === 3,
  },
  insurance: {
    unknownCarrier: (n: number): boolean => n % 20 === 3,
    secondPrimary: (n: number): boolean => n % 200 === 199,
  },
  payments: { unknownMethod: (n: number): boolean => [7, 19, 33].includes(n % 40) },
  files: {
    /** Size class of file n: 'huge' > 20 MB, 'large' > 5 MB, 'base64' 3.75–5 MB, or 'normal'. */
    sizeClass: (n: number): 'huge' | 'large' | 'base64' | 'normal' => {
      const m = n % 100;
      if (m === 42 || m === 71) return 'huge';
      if ([5, 33, 58, 90].includes(m)) return 'large';
      if (m === 12 || m === 66) return 'base64';
      return 'normal';
    },
  },
} as const;

/** Names with emoji (valid Unicode: surrogate pairs, ZWJ sequences; never lone surrogates). */
export const EMOJI_NAMES: readonly string[] = ['Zoë 🌸', 'Jack 👍🏽', 'Mum 👨‍👩‍👧', '✨Luna✨', 'Ravi 🇮🇳'];

/** Names carrying control characters that survive JSON but not every database or XML writer. */
export const CONTROL_CHAR_NAMES: readonly string[] = [
  'José\tLuis',
  'Anne\u2028Marie',
  'Bob\u0007',
  'Eve\u0000',
  'Kim\u001f',
];

/** A given name longer than 50 characters (as typed into a single field by a front desk). */
export const LONG_FIRST_NAME = 'Maria-Guadalupe Concepción de los Ángeles Fernández-Villanueva y Montoya';

/** A clinic name longer than 160 characters. */
export const LONG_CLINIC_NAME =
  'Harbourside Chiropractic, Physiotherapy & Sports Injury Clinic incorporating the Westside Wellness ' +
  'Centre, Pilates Studio and Paediatric Spinal Care Unit (formerly Smith & Jones Health Partners Ltd)';

/** Payment method codes outside the documented enum. */
export const UNKNOWN_METHODS: readonly string[] = [
  'cheque',
  'crypto',
  'giftcard',
  'paypal',
  'direct_debit',
  'CASH ',
];
