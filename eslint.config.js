// Lint rules: typescript-eslint's strict set, generated code fenced off, and the purity rules that
// keep machines/ free of clocks and randomness (STYLE.md convention 17), and the layer rule: a layer
// imports only the layers below it (core < machines < connector < actors < server < apps).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const layer = (files, forbidden, ignores = []) => ({
  files,
  ignores,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map(([group, why]) => ({
          group: [group],
          message: `layer rule (README, Architecture): ${why}`,
        })),
      },
    ],
  },
});
const above = {
  machines: ['**/machines/**', 'machines are above this layer'],
  connector: ['**/connector/**', 'the connector is its own process; share through core/'],
  actors: ['**/actors/**', 'the engine is above this layer'],
  server: ['**/server/**', 'the HTTP layer is above this layer'],
  apps: ['**/apps/**', 'entry points import layers, never the reverse'],
  proto: [
    '**/proto/gen/**',
    'generated protobuf types stay inside connector/ and server/rpc/ (their codecs)',
  ],
  venues: ['**/connector/venues/**', 'venue internals belong to the connector process'],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'proto/gen/**', 'data/**', 'dist/**', 'public/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  {
    files: ['public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['machines/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'fetch'],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'machines are pure: take time from events' },
        { object: 'Math', property: 'random', message: 'machines are pure: no randomness' },
      ],
    },
  },
  layer(['core/**/*.ts'], Object.values(above)),
  layer(
    ['machines/**/*.ts'],
    [above.connector, above.actors, above.server, above.apps, above.proto],
  ),
  layer(['connector/**/*.ts'], [above.machines, above.actors, above.server, above.apps]),
  layer(['actors/**/*.ts'], [above.server, above.apps, above.proto, above.venues]),
  layer(['server/**/*.ts'], [above.apps, above.proto, above.venues], ['server/rpc/**']),
  // The engine's gRPC API is an adapter like the connector's service: its codecs convert the
  // generated types at the edge, and nothing outside server/rpc sees them
  layer(['server/rpc/**/*.ts'], [above.apps, above.venues]),
);
