/**
 * What the Graph token provider needs from wherever the app's credential comes from: a client secret or
 * a certificate (read from Key Vault, versioned so that a rotation is noticed), or a client assertion
 * made on demand (the managed identity's token, for a federated identity credential).
 */
export type ClientCredential =
  | {
      readonly kind: 'secret';
      readonly clientSecret: string;
      /** Key Vault version of the secret: a new one means the credential was rotated. */
      readonly version: string;
      readonly expiresOn?: Date;
    }
  | {
      readonly kind: 'certificate';
      /** PKCS#8 PEM. */
      readonly privateKey: string;
      /** SHA-256 thumbprint of the certificate, hex. */
      readonly thumbprintSha256: string;
      /** PEM certificate (chain, matching certificate first). */
      readonly x5c: string;
      readonly version: string;
      readonly expiresOn?: Date;
    }
  | {
      readonly kind: 'assertion';
      /** Called by MSAL for each token request: a current assertion, never a stale one. */
      readonly getAssertion: () => Promise<string>;
      readonly version: string;
    };

/** A credential read from Key Vault. */
export type VaultClientCredential = Extract<ClientCredential, { readonly kind: 'secret' | 'certificate' }>;

export interface GetCredentialOptions {
  /** Read the vault even if a cached credential is still fresh (e.g. after Entra ID rejected it). */
  readonly forceRefresh?: boolean;
  readonly abortSignal?: AbortSignal;
}

export interface ClientCredentialProvider<Credential extends ClientCredential = ClientCredential> {
  getCredential(options?: GetCredentialOptions): Promise<Credential>;
  /** Where the credential comes from, for messages: `secret 'name' in https://vault.vault.azure.net`. */
  describe(): string;
  /** What to fix when Entra ID refuses this credential with AADSTS`errorNo`, where the provider knows better. */
  fixFor?(errorNo: string | undefined): string | undefined;
}
