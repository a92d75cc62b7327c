// due-notifier on Azure: a Flex Consumption function app whose one user-assigned identity reaches
// storage, Key Vault and Application Insights, and is the app registration's federated credential
// (secretless). `azd up` deploys it (azure.yaml); the postprovision hook then registers the app
// (`npm run register`) unless `registration` is 'bicep' (app/registration.bicep does it here).
// Not compiled on the machines this was written on (no Bicep CLI there): see the README, "Deploy".
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment: names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource: one that offers Flex Consumption.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of whoever deploys (azd sets AZURE_PRINCIPAL_ID): gets the Key Vault role the register command needs for a secret or a certificate.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal'])
@description('Kind of principal that deploys: a user locally, a service principal in the pipeline (AZURE_PRINCIPAL_TYPE).')
param principalType string = 'User'

@allowed(['command', 'bicep'])
@description('Who creates the app registration: the postprovision hook running `npm run register` (default), or this template with the Microsoft Graph Bicep extension (app/registration.bicep, secretless only).')
param registration string = 'command'

@allowed(['managed-identity', 'secret', 'certificate'])
@description('How the daemon proves it is the app: the user-assigned identity as federated credential (no secret at all), or a client secret / certificate kept in Key Vault.')
param clientCredential string = 'managed-identity'

@description('ENTRA_CLIENT_ID: the app registration\'s client id. Empty on the first provision; the postprovision hook writes it into the azd environment, so later provisions keep it.')
param entraClientId string = ''

@description('OBLIGATIONS_SITE_ID: the SharePoint site of the obligations list, {hostname},{siteCollectionId},{webId}.')
param obligationsSiteId string

@description('OBLIGATIONS_LIST_ID: the obligations list, its id or title.')
param obligationsListId string

@description('REMINDER_TIME_ZONE: the SharePoint site\'s IANA time zone, e.g. Europe/Berlin (no default on purpose: README, "Reminder rules").')
param reminderTimeZone string

@description('SENDER_MAILBOX: UPN or object id of the mailbox reminderDeliver sends from.')
param senderMailbox string

@description('NOTIFY_SCHEDULE: reminderTimer\'s NCRONTAB, six fields, UTC.')
param notifySchedule string = '0 0 7 * * *'

@description('NOTIFICATION_QUEUE: the reminders queue (its -poison queue is made next to it).')
@maxLength(56)
param notificationQueue string = 'reminders'

@description('REMINDER_DAYS: days before the due date (the schema\'s default).')
param reminderDays string = '7,3,1'

@description('MAIL_DEFAULT_LANGUAGE: language of an e-mail whose customer has none (the schema\'s default).')
param mailDefaultLanguage string = 'en'

@description('LEDGER_TABLE: the idempotency ledger table (the schema\'s default).')
param ledgerTable string = 'reminderledger'

@description('CLIENT_SECRET_NAME, with clientCredential secret.')
param clientSecretName string = 'due-notifier-client-secret'

@description('CLIENT_CERTIFICATE_NAME, with clientCredential certificate.')
param clientCertificateName string = 'due-notifier-client-certificate'

@allowed([512, 2048, 4096])
@description('Memory of each Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Most Flex Consumption instances at once (the queue trigger scales out; Exchange allows 4 concurrent sends per mailbox).')
param maximumInstanceCount int = 40

@minValue(7)
@maxValue(90)
@description('Days a deleted Key Vault stays recoverable (purge protection is on: the name stays taken that long).')
param keyVaultSoftDeleteDays int = 90

@description('E-mail address that receives the alerts (failed run, poison messages, expiring credential); empty: the alert rules fire without notifying anyone.')
param alertEmail string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-dn-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var keyVaultName = 'kv-dn-${resourceToken}'
var deploymentContainerName = 'deployment-package'
var storageSuffix = environment().suffixes.storage

resource resourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

// The one identity of the function app: storage, Key Vault, Application Insights, and (secretless) the
// app registration's federated identity credential, which only a user-assigned identity can be.
module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: resourceGroup
  params: {
    name: 'id-dn-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: resourceGroup
  params: {
    name: storageAccountName
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    queueNames: [notificationQueue, '${notificationQueue}-poison']
    tableName: ledgerTable
  }
}

module keyVault 'br/public:avm/res/key-vault/vault:0.13.3' = {
  name: 'keyVault'
  scope: resourceGroup
  params: {
    name: keyVaultName
    location: location
    tags: tags
    sku: 'standard'
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: keyVaultSoftDeleteDays
    enablePurgeProtection: true
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: resourceGroup
  params: {
    resourceToken: resourceToken
    location: location
    tags: tags
  }
}

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'plan'
  scope: resourceGroup
  params: {
    name: 'plan-dn-${resourceToken}'
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true
    location: location
    tags: tags
  }
}

module registrationByBicep 'app/registration.bicep' = if (registration == 'bicep') {
  name: 'registration'
  scope: resourceGroup
  params: {
    uniqueName: 'due-notifier-${environmentName}'
    displayName: 'due-notifier (${environmentName})'
    managedIdentityPrincipalId: identity.outputs.principalId
  }
}

var clientId = registration == 'bicep' ? registrationByBicep!.outputs.appId : entraClientId

// App settings, in three groups that test/infra/app-settings.test.ts reads: every setting the schema
// requires must be set, and every name must be the schema's or on the test's list of host settings.
// Settings the Functions host and the Azure SDK read, not the app's schema.
var hostSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  AzureWebJobsStorage__blobServiceUri: 'https://${storageAccountName}.blob.${storageSuffix}'
  // Two apps whose names share their first 32 characters on one storage account would otherwise
  // share a host id and fight over the timer's lock.
  AzureFunctionsWebHost__hostId: 'dn-${resourceToken}'
  // DefaultAzureCredential's managed identity: the user-assigned one (the app has no other).
  AZURE_CLIENT_ID: identity.outputs.clientId
}

// The daemon's settings (shared/config/schema.ts).
var daemonSettings = {
  ENTRA_TENANT_ID: tenant().tenantId
  ENTRA_CLIENT_ID: clientId
  KEY_VAULT_URL: 'https://${keyVaultName}${environment().suffixes.keyvaultDns}'
  OBLIGATIONS_SITE_ID: obligationsSiteId
  OBLIGATIONS_LIST_ID: obligationsListId
  REMINDER_TIME_ZONE: reminderTimeZone
  REMINDER_DAYS: reminderDays
  NOTIFY_SCHEDULE: notifySchedule
  NOTIFICATION_QUEUE: notificationQueue
  AzureWebJobsStorage__queueServiceUri: 'https://${storageAccountName}.queue.${storageSuffix}'
  AzureWebJobsStorage__tableServiceUri: 'https://${storageAccountName}.table.${storageSuffix}'
  LEDGER_TABLE: ledgerTable
  SENDER_MAILBOX: senderMailbox
  MAIL_DEFAULT_LANGUAGE: mailDefaultLanguage
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  // Application Insights has local authentication off: the host and the worker's exporter send
  // telemetry with the identity's Entra token.
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
}

// The credential: one of three forms, as clientCredential says.
var credentialSettings = clientCredential == 'managed-identity'
  ? {
      CLIENT_CREDENTIAL: 'managed-identity'
      MANAGED_IDENTITY_CLIENT_ID: identity.outputs.clientId
    }
  : clientCredential == 'secret' ? { CLIENT_SECRET_NAME: clientSecretName } : { CLIENT_CERTIFICATE_NAME: clientCertificateName }

module functionApp 'app/function-app.bicep' = {
  name: 'functionApp'
  scope: resourceGroup
  params: {
    name: functionAppName
    location: location
    tags: tags
    planId: plan.outputs.resourceId
    identityId: identity.outputs.resourceId
    deploymentContainerUrl: 'https://${storage.outputs.name}.blob.${storageSuffix}/${deploymentContainerName}'
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    appSettings: union(hostSettings, daemonSettings, credentialSettings)
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: resourceGroup
  params: {
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    identityPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    clientCredential: clientCredential
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: resourceGroup
  params: {
    resourceToken: resourceToken
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    notificationQueue: notificationQueue
    alertEmail: alertEmail
    credentialExpires: clientCredential != 'managed-identity'
  }
}

// Outputs become azd environment values, which the postprovision hook and `azd deploy` read.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = functionApp.outputs.url
output KEY_VAULT_URL string = daemonSettings.KEY_VAULT_URL
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output REGISTRATION string = registration
output CLIENT_CREDENTIAL string = clientCredential
output ENTRA_CLIENT_ID string = clientId
