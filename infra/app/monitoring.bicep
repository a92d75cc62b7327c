// Log Analytics and a workspace-based Application Insights with local authentication off: only
// Entra-authenticated telemetry (the function app's identity, Monitoring Metrics Publisher) is accepted.
param resourceToken string
param location string
param tags object

module workspace 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: 'logAnalytics'
  params: {
    name: 'log-dn-${resourceToken}'
    location: location
    tags: tags
    dataRetention: 30
  }
}

module applicationInsights 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'applicationInsights'
  params: {
    name: 'appi-dn-${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: workspace.outputs.resourceId
    disableLocalAuth: true
  }
}

output applicationInsightsName string = applicationInsights.outputs.name
output applicationInsightsId string = applicationInsights.outputs.resourceId
output connectionString string = applicationInsights.outputs.connectionString
