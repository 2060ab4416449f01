"""Sign-in with OpenID Connect: companies with MitID Erhverv (via the municipality's NemLog-in
broker), staff with the municipality's own provider. crm verifies the ID token the web front
received, maps its claims to a Jobbro user and issues the same bearer token as a password login."""
