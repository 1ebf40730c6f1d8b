import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { dirname, relative, resolve } from 'node:path';

/**
 * Workflow code runs in Temporal's deterministic sandbox: it may import only what is on this allowlist, so a new
 * folder is outside until someone decides it is sandbox-safe. Type-only imports are erased and always allowed.
 */
const SANDBOX_SAFE_FILES = ['src/workflows/', 'src/common/', 'src/workflow.ts'];
const SANDBOX_SAFE_PACKAGES = ['@temporalio/workflow', '@temporalio/common', '@cfworker/json-schema'];

const sandboxImports = {
  meta: {
    type: 'problem',
    schema: [],
    messages: { unsafe: "'{{source}}' is not on the sandbox allowlist (eslint.config.js): workflow code may import only {{allowed}}." },
  },
  create(context) {
    const root = context.cwd;
    const check = (node) => {
      if (!node.source || node.importKind === 'type' || node.exportKind === 'type') return;
      if (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type')) return;
      const source = String(node.source.value);
      const allowed = source.startsWith('.')
        ? SANDBOX_SAFE_FILES.some((safe) => relative(root, resolve(dirname(context.filename), source)).startsWith(safe))
        : SANDBOX_SAFE_PACKAGES.includes(source);
      if (!allowed) {
        context.report({
          node: node.source,
          messageId: 'unsafe',
          data: { source, allowed: [...SANDBOX_SAFE_FILES, ...SANDBOX_SAFE_PACKAGES].join(', ') },
        });
      }
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: (node) => context.report({ node, messageId: 'unsafe', data: { source: 'import()', allowed: 'static imports' } }),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'describe', 'it'], package: 'node:test' }] },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly' } },
  },
  {
    // config/ is the one reader of the environment; everything else takes an Env from it.
    files: ['src/**/*.ts'],
    ignores: ['src/config/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read the environment through src/config (processEnv, ENV_VARS).' },
      ],
    },
  },
  {
    files: SANDBOX_SAFE_FILES.map((f) => (f.endsWith('/') ? `${f}**/*.ts` : f)),
    plugins: { hitl: { rules: { 'sandbox-imports': sandboxImports } } },
    rules: {
      'hitl/sandbox-imports': 'error',
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'process', 'Buffer', 'fetch', 'require'],
    },
  },
);
