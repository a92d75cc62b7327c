// The alerts of docs/operations.md that are worth a rule from day one, as log search alerts on
// Application Insights: a failed run, poison messages, and (with a secret or certificate) an expiring
// credential. An action group e-mails them when alertEmail is given.
param resourceToken string
param location string
param tags object
param applicationInsightsId string
param notificationQueue string
param alertEmail string
@description('Whether the daemon has a secret or certificate that expires (not secretless).')
param credentialExpires bool

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-dn-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'duenotifier'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var actions = empty(alertEmail) ? {} : { actionGroups: [actionGroup.id] }

// KQL from docs/operations.md ("Alerts worth having"); each fires when its count exceeds zero.
var rules = [
  {
    name: 'failed-run'
    description: 'reminderTimer failed (after the host\'s retries): the day\'s reminders are not queued.'
    severity: 1
    window: 'PT15M'
    query: 'requests | where name == "reminderTimer" and success == false'
    enabled: true
  }
  {
    name: 'poison-messages'
    description: 'A reminder moved to ${notificationQueue}-poison after five failed deliveries: re-drive it once the cause is fixed.'
    severity: 2
    window: 'PT1H'
    query: 'traces | where message has "poison"'
    enabled: true
  }
  {
    name: 'credential-expiring'
    description: 'The client secret or certificate in Key Vault expires within 30 days: rotate it (npm run register -- rotate).'
    severity: 3
    window: 'P1D'
    query: 'traces | where message has "Rotate it:"'
    enabled: credentialExpires
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in filter(rules, candidate => candidate.enabled): {
    name: 'alert-dn-${rule.name}-${resourceToken}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: 'due-notifier: ${rule.name}'
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [applicationInsightsId]
      evaluationFrequency: rule.window == 'P1D' ? 'PT1H' : 'PT15M'
      windowSize: rule.window
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: false
      actions: actions
    }
  }
]
