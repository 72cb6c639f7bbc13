/**
 * The Vietnamese CSCA certificate(s) in PEM, which passive authentication chains to. Where to get them and how to
 * check them: docs/verification.md. Left empty here on purpose: with no CSCA every read ends in 'unknown-csca' and
 * no field is shown, rather than trusting something unchecked.
 */
export const VIETNAM_CSCA_PEM = '';
