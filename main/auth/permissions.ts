// The permission table lives in shared/ (the windows read it too); the server's modules import it from here.
export * from '../../shared/api/permissions';
