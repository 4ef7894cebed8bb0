/** Moved to scripts/lib so `npm start` can serve the app too; re-exported for the tests. */
export * from '../../scripts/lib/static-server';
