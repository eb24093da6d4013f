import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import { finding, type Rule } from '../rule.ts';

/** FS140: lines and mappings drafted by `flitstack propose` that nobody has reviewed yet. */
export const proposals: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  const hint =
    'review it: keep it by deleting its proposed: block (or change it), or delete it (and list what it read under left_out in migration.yaml, so that propose does not draft it again); run refuses to load while proposed lines remain';
  for (const o of ctx.objects) {
    if (o.proposed) {
      out.push(
        finding(
          'FS140',
          'warning',
          o.file,
          '/proposed',
          `mapping '${o.name}' was proposed (${o.proposed.reason}; confidence ${o.proposed.confidence}) and is not reviewed`,
          hint,
          'key',
        ),
      );
    }
    o.fields.forEach((f) => {
      if (f.proposed) {
        out.push(
          finding(
            'FS140',
            'warning',
            o.file,
            `${f.pointer}/proposed`,
            `field ${o.target}.${f.to} was proposed (${f.proposed.reason}; confidence ${f.proposed.confidence}) and is not reviewed`,
            hint,
            'key',
          ),
        );
      }
    });
  }
  return out;
};
