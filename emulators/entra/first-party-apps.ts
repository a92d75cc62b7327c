/**
 * Microsoft's first-party applications whose service principals exist in every emulated tenant: Microsoft
 * Graph, with the real ids and values of the application permissions (`appRoles`) the daemon and its
 * registration use, and Azure Key Vault. The ids are public and the same in every tenant; a registration
 * must look them up by `value` in Graph's service principal rather than hard-code them.
 */
import { createHash } from 'node:crypto';

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const KEY_VAULT_APP_ID = 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093';

export interface AppRole {
  readonly id: string;
  readonly value: string;
  readonly displayName: string;
  readonly description: string;
  readonly allowedMemberTypes: readonly ['Application'];
  readonly isEnabled: true;
  readonly origin: 'Application';
}

function role(id: string, value: string, displayName: string, description: string): AppRole {
  return {
    id,
    value,
    displayName,
    description,
    allowedMemberTypes: ['Application'],
    isEnabled: true,
    origin: 'Application',
  };
}

/** A subset of Microsoft Graph's application permissions, as its service principal lists them. */
export const GRAPH_APP_ROLES: readonly AppRole[] = [
  role(
    '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
    'Application.ReadWrite.All',
    'Read and write all applications',
    'Allows the app to create, read, update and delete applications and service principals without a signed-in user. Does not allow management of consent grants.',
  ),
  role(
    '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
    'Application.Read.All',
    'Read all applications',
    'Allows the app to read all applications and service principals without a signed-in user.',
  ),
  role(
    '06b708a9-e830-4db3-a914-8e69da51d44f',
    'AppRoleAssignment.ReadWrite.All',
    'Manage app permission grants and app role assignments',
    'Allows the app to manage permission grants for application permissions to any API (including Microsoft Graph) and application assignments for any app, without a signed-in user.',
  ),
  role(
    '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
    'Directory.Read.All',
    'Read directory data',
    "Allows the app to read data in your organization's directory, such as users, groups and apps, without a signed-in user.",
  ),
  role(
    '19dbc75e-c2e2-444c-a770-ec69d8559fc7',
    'Directory.ReadWrite.All',
    'Read and write directory data',
    "Allows the app to read and write data in your organization's directory, such as users, and groups, without a signed-in user. Does not allow user or group deletion.",
  ),
  role(
    'b633e1c5-b582-4048-a93e-9f11b44c7e96',
    'Mail.Send',
    'Send mail as any user',
    'Allows the app to send mail as any user without a signed-in user.',
  ),
  role(
    'e2a3a72e-5f79-4c64-b1b1-878b674786c9',
    'Mail.ReadWrite',
    'Read and write mail in all mailboxes',
    'Allows the app to create, read, update, and delete mail in all mailboxes without a signed-in user. Does not include permission to send mail.',
  ),
  role(
    '332a536c-c7ef-4017-ab91-336970924f0d',
    'Sites.Read.All',
    'Read items in all site collections',
    'Allows the app to read documents and list items in all site collections without a signed in user.',
  ),
  role(
    '9492366f-7969-46a4-8d15-ed1a20078fff',
    'Sites.ReadWrite.All',
    'Read and write items in all site collections',
    'Allows the app to create, read, update, and delete documents and list items in all site collections without a signed in user.',
  ),
  role(
    '0c0bf378-bf22-4481-8f81-9e89a9b4960a',
    'Sites.Manage.All',
    'Create, edit, and delete items and lists in all site collections',
    'Allows the app to create or delete document libraries and lists in all site collections without a signed in user.',
  ),
  role(
    'a82116e5-55eb-4c41-a434-62fe8a61c773',
    'Sites.FullControl.All',
    'Have full control of all site collections',
    'Allows the app to have full control of all site collections without a signed in user.',
  ),
  role(
    '883ea226-0bf2-4a8f-9f9d-92c9162a727d',
    'Sites.Selected',
    'Access selected site collections',
    'Allow the application to access a subset of site collections without a signed in user. The specific site collections and the permissions granted will be configured in SharePoint Online.',
  ),
  role(
    'df021288-bdef-4463-88db-98f22de89214',
    'User.Read.All',
    "Read all users' full profiles",
    'Allows the app to read user profiles without a signed in user.',
  ),
];

export interface FirstPartyApp {
  readonly appId: string;
  readonly displayName: string;
  readonly servicePrincipalNames: readonly string[];
  readonly appRoles: readonly AppRole[];
}

export const FIRST_PARTY_APPS: readonly FirstPartyApp[] = [
  {
    appId: GRAPH_APP_ID,
    displayName: 'Microsoft Graph',
    servicePrincipalNames: [GRAPH_APP_ID, 'https://graph.microsoft.com', 'https://graph.microsoft.com/'],
    appRoles: GRAPH_APP_ROLES,
  },
  {
    appId: KEY_VAULT_APP_ID,
    displayName: 'Azure Key Vault',
    servicePrincipalNames: [KEY_VAULT_APP_ID, 'https://vault.azure.net'],
    appRoles: [],
  },
];

/** A stable GUID made from names: the same tenant always gets the same object ids for these principals. */
export function derivedGuid(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000').toLowerCase()).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
