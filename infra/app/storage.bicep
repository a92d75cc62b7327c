// The storage account: the host's (timer lock, deployment package), the reminders queue and its poison
// queue, and the ledger table. Shared keys are off: every client signs in with an identity.
param name string
param location string
param tags object
param deploymentContainerName string
param queueNames string[]
param tableName string

module account 'br/public:avm/res/storage/storage-account:0.8.3' = {
  name: 'storageAccount'
  params: {
    name: name
    location: location
    tags: tags
    kind: 'StorageV2'
    skuName: 'Standard_LRS'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    dnsEndpointType: 'Standard'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [{ name: deploymentContainerName }]
    }
    queueServices: {
      queues: [for queueName in queueNames: { name: queueName }]
    }
    tableServices: {
      tables: [{ name: tableName }]
    }
  }
}

output name string = account.outputs.name
