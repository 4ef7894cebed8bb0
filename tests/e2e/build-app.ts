/** Moved to scripts/lib so `npm start` can build the app too; re-exported for the e2e suite. */
export * from '../../scripts/lib/build-app';
