// The layers of src/ (README.md, "Architecture"): each folder imports only
// from its own layer's allowed neighbours and from the layers below it, so no
// import runs upward and no two folders lean on each other. `npm run lint`
// runs this check.

/** Bottom to top: each layer's folders, and the imports allowed between folders of one layer. */
const LAYERS = [
  { name: 'domain', folders: ['domain'] },
  { name: 'toolkit', folders: ['fs', 'process'] },
  {
    name: 'services',
    folders: [
      'net',
      'pipeline',
      'storage',
      'notify',
      'engines',
      'sanitize',
      'verification',
      'retention',
    ],
    within: {
      storage: ['net'],
      notify: ['net'],
      engines: ['net'],
      sanitize: ['engines'],
      retention: ['verification'],
    },
  },
  { name: 'catalog', folders: ['catalog', 'status'], within: { status: ['catalog'] } },
  { name: 'commands', folders: ['commands'] },
  { name: 'config', folders: ['config'] },
  { name: 'report', folders: ['report'] },
];

/** A path pattern for these folders of src/. */
const under = (folders) => `^src/(${folders.join('|')})/`;

const layerRules = LAYERS.flatMap((layer, index) => {
  const below = LAYERS.slice(0, index).flatMap((lower) => lower.folders);
  return layer.folders.map((folder) => {
    const allowed = [folder, ...(layer.within?.[folder] ?? []), ...below];
    return {
      name: `layer-${folder}`,
      comment: `src/${folder}/ (${layer.name}) may import only from ${allowed.join('/, ')}/.`,
      severity: 'error',
      from: { path: under([folder]) },
      to: { path: '^src/', pathNot: under(allowed) },
    };
  });
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'entries-on-top',
      comment:
        'Nothing imports the entries (src/action.ts, src/cli.ts, src/main.ts) but the entries.',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'no-circular',
      comment:
        'No module loads itself, however far round: a cycle of modules passes at least through an import of types or one made when needed (await import).',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only', 'dynamic-import'] } },
    },
    {
      name: 'no-folder-cycle',
      comment: 'No two folders of src/ import each other, however far round.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'runner-commands-not-actions-core',
      comment:
        'The action talks to the runner through src/runner-commands.ts: @actions/core would load its HTTP client (undici) at every start.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '(^|/)node_modules/@actions/core/' },
    },
    {
      name: 'runner-commands-in-the-action-only',
      comment:
        'Workflow commands belong to the action entry (src/main.ts run(), src/action.ts): the CLI and everything under the entries log through a Logger.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(main|action|runner-commands)\\.ts$' },
      to: { path: '^src/runner-commands\\.ts$' },
    },
    {
      name: 'storage-knows-places-only',
      comment:
        'Storage backends put, get, list and delete bytes: no manifests, catalog, commands or config.',
      severity: 'error',
      from: { path: '^src/storage/' },
      to: { path: ['^src/(catalog|commands|config|pipeline)/', '^src/domain/manifest\\.ts$'] },
    },
    {
      name: 'engines-through-their-surface',
      comment:
        'Commands and config reach an engine through src/engines/index.ts (and the Engine interface), never into an engine of its own.',
      severity: 'error',
      from: { path: '^src/(commands|config|report)/' },
      to: { path: '^src/engines/', pathNot: '^src/engines/(index|engine)\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type from another layer ties the layers as much as a value does.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
