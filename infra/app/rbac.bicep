// Role assignments: what the function app's identity may do (storage, Key Vault, telemetry), and the
// Key Vault role the deployer needs when `npm run register` stores a secret or a certificate.
param storageAccountName string
param keyVaultName string
param applicationInsightsName string
param identityPrincipalId string
param deployerPrincipalId string
@allowed(['User', 'ServicePrincipal'])
param deployerPrincipalType string
@allowed(['managed-identity', 'secret', 'certificate'])
param clientCredential string

// Built-in role definition ids by role name (test/infra/roles.test.ts checks each against its table).
var roleIds = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6'
  'Key Vault Secrets Officer': 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  'Key Vault Certificates Officer': 'a4417e6f-fecd-4de8-b567-7b0420556985'
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// The host's blobs (timer lock, keys) and the deployment package: Storage Blob Data Owner, as the
// Functions docs ask for AzureWebJobsStorage with an identity.
var storageRoles = ['Storage Blob Data Owner', 'Storage Queue Data Contributor', 'Storage Table Data Contributor']

resource storageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in storageRoles: {
    name: guid(storageAccount.id, identityPrincipalId, roleIds[role])
    scope: storageAccount
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[role])
      principalId: identityPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Reads the client secret or the certificate (a certificate's private key is read as its secret).
// Secretless, nothing is read from the vault; the role stays so that switching modes needs no deploy.
resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identityPrincipalId, roleIds['Key Vault Secrets User'])
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds['Key Vault Secrets User']
    )
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Application Insights accepts only Entra-authenticated telemetry (disableLocalAuth).
resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identityPrincipalId, roleIds['Monitoring Metrics Publisher'])
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds['Monitoring Metrics Publisher']
    )
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// `npm run register` writes a new secret version (secret mode), or creates the certificate and reads
// its secret (certificate mode), as the deployer.
var deployerVaultRoles = clientCredential == 'certificate'
  ? ['Key Vault Certificates Officer', 'Key Vault Secrets Officer']
  : clientCredential == 'secret' ? ['Key Vault Secrets Officer'] : []

resource deployerVaultAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in (empty(deployerPrincipalId) ? [] : deployerVaultRoles): {
    name: guid(keyVault.id, deployerPrincipalId, roleIds[role])
    scope: keyVault
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[role])
      principalId: deployerPrincipalId
      principalType: deployerPrincipalType
    }
  }
]
