// Log Analytics workspace that receives the Container Apps console and system logs.

@description('Azure region.')
param location string

@description('Workspace name.')
param name string

@description('Days logs are kept (30 is free of retention charges).')
@minValue(30)
@maxValue(730)
param retentionDays int

param tags object

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionDays
  }
}

@description('Workspace resource id.')
output id string = workspace.id

@description('Workspace name (the Container Apps environment reads its keys).')
output name string = workspace.name
