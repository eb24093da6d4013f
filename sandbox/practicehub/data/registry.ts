import { appointments } from './appointments.ts';
import { appointmentTypes, customProperties, paymentMethods } from './catalogs.ts';
import { clinicalNotes } from './clinical-notes.ts';
import { clinics } from './clinics.ts';
import type { ResourceName } from './context.ts';
import { policyDocuments, trainingRecords } from './documents.ts';
import { files } from './files.ts';
import { insurancePolicies } from './insurance.ts';
import { patients } from './patients.ts';
import { payments } from './payments.ts';
import { practitioners } from './practitioners.ts';
import { prescriptions } from './prescriptions.ts';
import { referralSources } from './referral-sources.ts';
import type { ResourceDef } from './resource.ts';

/** Every served resource's generator, by API name. */
export const RESOURCES: Readonly<Record<ResourceName, ResourceDef>> = {
  clinics,
  practitioners,
  custom_properties: customProperties,
  appointment_types: appointmentTypes,
  payment_methods: paymentMethods,
  referral_sources: referralSources,
  patients,
  appointments,
  clinical_notes: clinicalNotes,
  prescriptions,
  insurance_policies: insurancePolicies,
  payments,
  policy_documents: policyDocuments,
  training_records: trainingRecords,
  files,
};

/** True when `name` is a served resource. */
export function isResourceName(name: string): name is ResourceName {
  return Object.hasOwn(RESOURCES, name);
}
