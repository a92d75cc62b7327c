// The declarative alternative to `npm run register` (main.bicep's `registration: 'bicep'`): the app
// registration, its service principal, admin consent for the Graph application permissions, and the
// user-assigned identity as its federated identity credential, with the Microsoft Graph Bicep extension.
// Secretless only: the extension cannot create secrets (passwordCredentials). The deploying identity
// needs Microsoft Graph rights (Application.ReadWrite.All, AppRoleAssignment.ReadWrite.All, e.g. a
// Privileged Role Administrator); Azure roles do not grant them.
extension 'br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0'

@description('Stable key of the app registration: a rerun finds and updates it instead of creating another.')
param uniqueName string
param displayName string

@allowed(['AzureADMyOrg', 'AzureADMultipleOrgs'])
param signInAudience string = 'AzureADMyOrg'

@allowed(['Sites.Read.All', 'Sites.Selected'])
@description('Sites.Selected also needs a grant on the one site (POST /sites/{id}/permissions), which Bicep cannot make: npm run register does, or grant it by hand.')
param sitesPermission string = 'Sites.Read.All'

@description('Principal (object) id of the function app\'s user-assigned identity: the subject of the federated credential.')
param managedIdentityPrincipalId string

var graphAppId = '00000003-0000-0000-c000-000000000000'

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

// App role ids are looked up by value in Graph's service principal, never hard-coded.
var sitesRoleId = filter(graph.appRoles, role => role.value == sitesPermission)[0].id
var mailSendRoleId = filter(graph.appRoles, role => role.value == 'Mail.Send')[0].id

resource application 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: signInAudience
  requiredResourceAccess: [
    {
      resourceAppId: graphAppId
      resourceAccess: [
        { id: sitesRoleId, type: 'Role' }
        { id: mailSendRoleId, type: 'Role' }
      ]
    }
  ]

  resource managedIdentityCredential 'federatedIdentityCredentials@v1.0' = {
    name: '${application.uniqueName}/function-app-identity'
    description: 'The due-notifier function app\'s user-assigned identity (secretless client credential).'
    issuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
    subject: managedIdentityPrincipalId
    audiences: ['api://AzureADTokenExchange']
  }
}

resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: application.appId
}

// Admin consent for an application permission is an app role assignment on Graph's service principal.
resource sitesConsent 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  appRoleId: sitesRoleId
  principalId: servicePrincipal.id
  resourceId: graph.id
}

resource mailSendConsent 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  appRoleId: mailSendRoleId
  principalId: servicePrincipal.id
  resourceId: graph.id
}

output appId string = application.appId
