/**
 * The entity set name of a custom table: the English plural of its logical name, as Dataverse makes
 * its default (EntityMetadata.EntitySetName: "By default it is the same as the LogicalCollectionName").
 * The compiler writes it into the plan and the generated code, and `schema apply` sends it as
 * EntitySetName, so the name the run writes to never depends on Dataverse's own rules.
 */
export function entitySetOf(logicalName: string): string {
  if (/[^aeiou]y$/.test(logicalName)) return `${logicalName.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(logicalName)) return `${logicalName}es`;
  return `${logicalName}s`;
}
