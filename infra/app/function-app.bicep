// The Flex Consumption function app (Linux, Node 22): it runs the package azd uploads to a blob
// container, read with the user-assigned identity. No remote build: the package is already built
// (dist/, host.json, package.json; see .funcignore).
param name string
param location string
param tags object
param planId string
param identityId string
param deploymentContainerUrl string
param instanceMemoryMB int
param maximumInstanceCount int
@description('Every app setting, assembled in main.bicep.')
param appSettings object

module site 'br/public:avm/res/web/site:0.15.1' = {
  name: 'functionApp'
  params: {
    kind: 'functionapp,linux'
    name: name
    location: location
    // azd finds the app to deploy service `api` to by this tag.
    tags: union(tags, { 'azd-service-name': 'api' })
    serverFarmResourceId: planId
    managedIdentities: {
      systemAssigned: false
      userAssignedResourceIds: [identityId]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      alwaysOn: false
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    httpsOnly: true
    appSettingsKeyValuePairs: appSettings
  }
}

output name string = site.outputs.name
output url string = 'https://${site.outputs.defaultHostname}'
