import { basename, dirname, join } from 'node:path';
import { Project, ts } from 'ts-morph';
import { installRoot } from '../root.ts';

/** A type error in generated code, with its line in the generated file. */
export interface GeneratedTypeError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/**
 * Type-checks generated code in memory, beside its real path (so its imports of runtime/ resolve), with the
 * project's strict settings. Nothing is written. Returns the errors of that file only.
 */
export function typecheckGenerated(relativePath: string, text: string): GeneratedTypeError[] {
  const root = installRoot();
  const project = new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      allowImportingTsExtensions: true,
      verbatimModuleSyntax: true,
      noEmit: true,
      strict: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      noImplicitReturns: true,
      noFallthroughCasesInSwitch: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      types: [],
      lib: ['lib.es2023.d.ts'],
    },
    skipAddingFilesFromTsConfig: true,
  });
  // Beside its real folder, at a path no file has: the real one may be missing, stale, or not even
  // a folder (a file named generated), and the project would read it first. Its imports of
  // ../runtime/ resolve the same from there.
  const at = join(root, `${dirname(relativePath)}.typecheck`, basename(relativePath));
  const file = project.createSourceFile(at, text, { overwrite: true });
  project.resolveSourceFileDependencies();
  // The file's own syntax and semantic errors: the checker checks what the file uses of runtime/,
  // without reporting on every runtime file as the whole program's diagnostics would.
  return ts
    .getPreEmitDiagnostics(project.getProgram().compilerObject, file.compilerNode)
    .filter((d) => d.file === file.compilerNode && d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const { line, character } = file.compilerNode.getLineAndCharacterOfPosition(d.start ?? 0);
      return {
        line: line + 1,
        column: character + 1,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      };
    });
}
