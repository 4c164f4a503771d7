// PostgreSQL flexible server (query index), VNet-integrated: reachable only from the virtual network.
// require_secure_transport is on by default on flexible servers; the connection string asks for VerifyFull.
// Microsoft Entra ID authentication only (password authentication disabled): the silos' managed identity is the
// server's Entra administrator and logs in with its access token (Mirc:Index:PostgresAuthentication=EntraId), so no
// database password exists anywhere.

@description('Azure region.')
param location string

@description('Server name, globally unique.')
param name string

@description('Database the query index lives in.')
param databaseName string

@description('Object (principal) id of the managed identity made Entra administrator of the server.')
param entraAdminPrincipalId string

@description('Name of that identity: its PostgreSQL role name (the Username of the silos\' connection string).')
param entraAdminName string

@description('Log Analytics workspace receiving the server\'s logs (incl. connection/audit logs) and metrics.')
param logAnalyticsWorkspaceId string

@description('Compute SKU, e.g. Standard_D2ds_v5 (GeneralPurpose) or Standard_B2s (Burstable).')
param skuName string

@description('Tier matching skuName.')
@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param skuTier string

@description('Storage size in GiB.')
@minValue(32)
@maxValue(16384)
param storageSizeGB int

@description('Zone-redundant standby (not available on Burstable).')
param zoneRedundantHa bool

@description('Days of point-in-time restore.')
@minValue(7)
@maxValue(35)
param backupRetentionDays int

@description('Subnet delegated to Microsoft.DBforPostgreSQL/flexibleServers.')
param delegatedSubnetId string

@description('Private DNS zone <name>.private.postgres.database.azure.com linked to the virtual network.')
param privateDnsZoneId string

param tags object

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: '16'
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Disabled'
      tenantId: subscription().tenantId
    }
    storage: {
      storageSizeGB: storageSizeGB
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: backupRetentionDays
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: zoneRedundantHa ? 'ZoneRedundant' : 'Disabled'
    }
    network: {
      delegatedSubnetResourceId: delegatedSubnetId
      privateDnsZoneArmResourceId: privateDnsZoneId
      publicNetworkAccess: 'Disabled'
    }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

resource entraAdmin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = {
  parent: server
  name: entraAdminPrincipalId
  properties: {
    principalType: 'ServicePrincipal'
    principalName: entraAdminName
    tenantId: subscription().tenantId
  }
  dependsOn: [
    database
  ]
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: server
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
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('Host name of the server.')
output fqdn string = server.properties.fullyQualifiedDomainName

@description('Database name.')
output databaseName string = database.name
