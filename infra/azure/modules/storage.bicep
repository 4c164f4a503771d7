// Storage account: blobs for DICOM instances and grain state, tables for Orleans membership and reminders
// (Mirc:Cluster:Mode=AzureStorage). Access is by Entra ID only (no shared keys, no anonymous blobs, no public
// network): the silos' managed identity gets Storage Blob Data Contributor and Storage Table Data Contributor.

@description('Azure region.')
param location string

@description('Storage account name: 3-24 lower-case letters and digits, globally unique.')
@minLength(3)
@maxLength(24)
param name string

@description('Replication: ZRS keeps the archive across availability zones; GZRS adds a paired region.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string

@description('Days deleted blobs and containers stay recoverable (point-in-time restore reaches one day less).')
@minValue(2)
@maxValue(365)
param softDeleteDays int

@description('Principal (managed identity) granted Storage Blob Data Contributor and Storage Table Data Contributor.')
param dataContributorPrincipalId string

@description('Subnet of the blob and table private endpoints.')
param privateEndpointSubnetId string

@description('Private DNS zone privatelink.blob.<storage suffix>.')
param blobPrivateDnsZoneId string

@description('Private DNS zone privatelink.table.<storage suffix>.')
param tablePrivateDnsZoneId string

@description('Account-level version immutability, so legal holds can be placed on blob versions (set at creation only).')
param legalHoldSupport bool

@description('Log Analytics workspace receiving blob and table access logs and transaction metrics.')
param logAnalyticsWorkspaceId string

param tags object

// Built-in role "Storage Blob Data Contributor".
var blobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

// Built-in role "Storage Table Data Contributor": the silos read and write the membership and reminder tables.
var tableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  kind: 'StorageV2'
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Disabled'
    // Legal hold: with version-level immutability support, a hold can be put on any blob version (see infra/README.md,
    // "Legal hold"); nothing is immutable until one is placed, so the archive's own deletions (retention, erasure) work.
    immutableStorageWithVersioning: {
      enabled: legalHoldSupport
    }
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    // Backup of the instances and grain state: every overwrite keeps a version, and the account can be rolled back
    // to any point of the last (softDeleteDays - 1) days (point-in-time restore needs versioning and the change feed).
    isVersioningEnabled: true
    changeFeed: {
      enabled: true
      retentionInDays: softDeleteDays
    }
    restorePolicy: {
      enabled: true
      days: softDeleteDays - 1
    }
  }
}

resource blobDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: account
  name: guid(account.id, dataContributorPrincipalId, blobDataContributorRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataContributorRoleId)
    principalId: dataContributorPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: account
  name: guid(account.id, dataContributorPrincipalId, tableDataContributorRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', tableDataContributorRoleId)
    principalId: dataContributorPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource blobEndpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: '${name}-blob-pe'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: privateEndpointSubnetId
    }
    privateLinkServiceConnections: [
      {
        name: 'blob'
        properties: {
          privateLinkServiceId: account.id
          groupIds: [
            'blob'
          ]
        }
      }
    ]
  }
}

resource blobEndpointDns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: blobEndpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: 'blob'
        properties: {
          privateDnsZoneId: blobPrivateDnsZoneId
        }
      }
    ]
  }
}

resource tableEndpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: '${name}-table-pe'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: privateEndpointSubnetId
    }
    privateLinkServiceConnections: [
      {
        name: 'table'
        properties: {
          privateLinkServiceId: account.id
          groupIds: [
            'table'
          ]
        }
      }
    ]
  }
}

resource tableEndpointDns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: tableEndpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: 'table'
        properties: {
          privateDnsZoneId: tablePrivateDnsZoneId
        }
      }
    ]
  }
}

@description('Blob endpoint, e.g. https://<account>.blob.core.windows.net/ (Mirc:Storage:AccountUri).')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Storage account name.')
output name string = account.name

@description('Table endpoint (membership and reminders); the silo derives it from the blob endpoint.')
output tableEndpoint string = account.properties.primaryEndpoints.table

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' existing = {
  parent: account
  name: 'default'
}

// Who read, wrote or deleted which instance blob / membership row: the access trail health-data hosting expects.
resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: blobService
  name: 'to-log-analytics'
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: tableService
  name: 'to-log-analytics'
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}
