/* Organisation-side pools: clinic names, specialisations, marketing channels, insurance carriers. */

/** Parts of clinic names. */
export const CLINIC_PLACES: readonly string[] = [
  'Harbourside',
  'Riverside',
  'Kings Cross',
  'Westfield',
  'Northgate',
  'Meadowbank',
  'Southbank',
  'Elm Park',
  'Castle Hill',
  'Greenway',
  'St Albans',
  'Dún Laoghaire',
  'Bondi Junction',
  'Parramatta',
  'Brooklyn Heights',
  'Camden',
  'Clifton',
  'Headingley',
  'Morningside',
  'Rathmines',
];

/** Kinds of practice, for clinic and referral source names. */
export const CLINIC_KINDS: readonly string[] = [
  'Chiropractic',
  'Spinal Health',
  'Physio & Chiro',
  'Wellness Centre',
  'Back & Neck Clinic',
  'Sports Injury Clinic',
  'Family Chiropractic',
  'Osteopathy',
];

/** Clinical specialisations of practitioners. */
export const SPECIALISATIONS: readonly string[] = [
  'Chiropractic',
  'Sports chiropractic',
  'Paediatric chiropractic',
  'Physiotherapy',
  'Osteopathy',
  'Massage therapy',
  'Acupuncture',
  'Pilates rehabilitation',
];

/** Marketing channels referral sources name. */
export const MARKETING_CHANNELS: readonly string[] = [
  'Google Ads',
  'Facebook',
  'Instagram',
  'Local newspaper',
  'Leaflet drop',
  'Website',
  'Walk-in',
  'Radio advert',
  'Google Maps',
  'TikTok',
  'Corporate wellness day',
];

/** Insurance carriers a clinic group usually knows. */
export const KNOWN_CARRIERS: readonly string[] = [
  'Bupa',
  'AXA Health',
  'Aviva',
  'Vitality',
  'WPA',
  'Cigna',
  'Allianz Care',
  'Irish Life Health',
  'Laya Healthcare',
  'VHI',
  'Medibank',
  'HCF',
  'nib',
  'Aetna',
  'Blue Cross Blue Shield',
  'UnitedHealthcare',
];

/** Carriers as typed by front desks: not on any list (the "unknown carrier" mess). */
export const UNKNOWN_CARRIERS: readonly string[] = [
  'bupa intl (old policy)',
  'AXA PPP / see notes',
  'Unknown',
  'self pay??',
  'N/A',
  'Simplyhealth Cash Plan',
  'Westfield Health',
  'Benenden',
  'Police Mutual',
  'Hospital Saturday Fund',
  'employer scheme - ask',
  'Generali',
  'ÖGK',
  'Zurich (travel)',
];
