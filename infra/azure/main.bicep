// Mirc regional imaging archive on Azure: Container Apps silos (>= 2 replicas, one Orleans cluster),
// one Storage account (blobs: instances, grain state; tables: Orleans membership and reminders),
// PostgreSQL flexible server (query index), Log Analytics, and a user-assigned managed identity.
// Deploy: az deployment group create -g <rg> -f main.bicep -p main.bicepparam (see infra/README.md).
targetScope = 'resourceGroup'

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Short lower-case prefix of resource names (letters and digits, 3-11 chars).')
@minLength(3)
@maxLength(11)
param namePrefix string

@description('Silo container image, e.g. myregistry.azurecr.io/mirc-silo:1.0.0.')
param siloImage string

@description('Registry login server pulled with the managed identity (grant it AcrPull); empty for a public image.')
param registryServer string = ''

@description('Replicas that always run: the Orleans cluster size floor.')
@minValue(2)
@maxValue(30)
param siloMinReplicas int = 2

@description('Replica ceiling when HTTP load scales the app out.')
@minValue(2)
@maxValue(30)
param siloMaxReplicas int = 4

@description('vCPU per replica, as a string (e.g. "1.0", "2.0").')
param siloCpu string = '2.0'

@description('Memory per replica (2 GiB per vCPU on the Consumption profile).')
param siloMemory string = '4Gi'

@description('DICOM DIMSE port published on the environment (clients connect to <app fqdn>:<this port>).')
@minValue(1)
@maxValue(65535)
param dicomExposedPort int = 11112

@description('AE title of the archive\'s DICOM listener (called AE of modalities and PACS).')
@minLength(1)
@maxLength(16)
param dicomAeTitle string = 'MIRC'

@description('Orleans ClusterId and ServiceId.')
param clusterId string = 'mirc'

@description('Prefix of blob container names (Mirc:Storage:ContainerPrefix).')
param blobContainerPrefix string = 'mirc'

@description('Instance shards, i.e. blob containers (Mirc:Storage:ShardCount). Never change it on a live archive.')
@minValue(1)
@maxValue(1024)
param blobShardCount int = 16

@description('Storage replication.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_ZRS'

@description('Days deleted blobs and containers stay recoverable; the storage account can be restored to any point of one day less.')
@minValue(2)
@maxValue(365)
param blobSoftDeleteDays int = 14

@description('PostgreSQL compute SKU.')
param postgresSkuName string = 'Standard_D2ds_v5'

@description('PostgreSQL tier matching postgresSkuName.')
@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresSkuTier string = 'GeneralPurpose'

@description('PostgreSQL storage in GiB.')
@minValue(32)
param postgresStorageGB int = 128

@description('Zone-redundant PostgreSQL standby (not on Burstable).')
param postgresZoneRedundantHa bool = false

@description('PostgreSQL point-in-time-restore window in days.')
@minValue(7)
@maxValue(35)
param postgresBackupRetentionDays int = 14

@description('Database of the query index.')
param postgresDatabaseName string = 'mirc'

@description('Log Analytics retention in days.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Address space of the virtual network.')
param vnetAddressPrefix string = '10.40.0.0/16'

@description('Container Apps environment subnet.')
param appsSubnetPrefix string = '10.40.0.0/23'

@description('PostgreSQL delegated subnet.')
param postgresSubnetPrefix string = '10.40.2.0/24'

@description('Private endpoint subnet (Storage: blob and table).')
param privateEndpointSubnetPrefix string = '10.40.3.0/24'

@description('Spread the Container Apps environment over availability zones (the region must have zones).')
param zoneRedundant bool = true

@description('Seconds a stopping replica gets to leave the cluster and drain DICOM associations.')
@minValue(10)
@maxValue(600)
param terminationGracePeriodSeconds int = 60

@description('Source networks (CIDR) allowed to reach the DICOM ports (plain and TLS): the establishments\' egress addresses or VPN ranges. Empty: DICOM closed from the internet.')
param dicomAllowedCidrs array = []

@description('DICOM TLS port published on the environment.')
@minValue(1)
@maxValue(65535)
param dicomTlsExposedPort int = 2762

@description('PEM certificate (chain) of the DICOM TLS listener (devices outside the allowed networks\' VPN must use TLS).')
@secure()
param dicomTlsCertificatePem string

@description('PEM private key of that certificate.')
@secure()
param dicomTlsKeyPem string

@description('Let legal holds be placed on blob versions (account-level version immutability; can only be set when the account is created). No data is immutable until a hold or policy is placed.')
param blobLegalHoldSupport bool = true

@description('Existing Key Vault (this resource group, RBAC authorization) holding the certificate that wraps the Data Protection keys.')
param dataProtectionKeyVaultName string

@description('Name of that certificate (RSA, exportable; created before the first rollout).')
param dataProtectionCertificateName string = 'mirc-data-protection'

@description('Tags on every resource.')
param tags object = {
  application: 'mirc'
}

// Container ports: fixed by the image (see Silo/Dockerfile).
var httpPort = 8080
var dicomPort = 11112
var dicomTlsPort = 2762
var siloPort = 11111
var gatewayPort = 30000

var suffix = uniqueString(resourceGroup().id, namePrefix)

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    name: '${namePrefix}-logs'
    retentionDays: logRetentionDays
    tags: tags
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    location: location
    name: '${namePrefix}-silo-id'
    tags: tags
  }
}

module network 'modules/network.bicep' = {
  name: 'network'
  params: {
    location: location
    name: '${namePrefix}-vnet'
    addressPrefix: vnetAddressPrefix
    appsSubnetPrefix: appsSubnetPrefix
    postgresSubnetPrefix: postgresSubnetPrefix
    privateEndpointSubnetPrefix: privateEndpointSubnetPrefix
    dicomExposedPorts: [
      dicomExposedPort
      dicomTlsExposedPort
    ]
    dicomAllowedCidrs: dicomAllowedCidrs
    tags: tags
  }
}

module blobDns 'modules/private-dns-zone.bicep' = {
  name: 'dns-blob'
  params: {
    zoneName: 'privatelink.blob.${environment().suffixes.storage}'
    vnetId: network.outputs.id
    tags: tags
  }
}

module tableDns 'modules/private-dns-zone.bicep' = {
  name: 'dns-table'
  params: {
    zoneName: 'privatelink.table.${environment().suffixes.storage}'
    vnetId: network.outputs.id
    tags: tags
  }
}

var postgresServerName = '${namePrefix}-pg-${suffix}'

module postgresDns 'modules/private-dns-zone.bicep' = {
  name: 'dns-postgres'
  params: {
    zoneName: '${postgresServerName}.private.postgres.database.azure.com'
    vnetId: network.outputs.id
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: take('${namePrefix}${suffix}', 24)
    skuName: storageSku
    softDeleteDays: blobSoftDeleteDays
    dataContributorPrincipalId: identity.outputs.principalId
    privateEndpointSubnetId: network.outputs.privateEndpointSubnetId
    blobPrivateDnsZoneId: blobDns.outputs.id
    tablePrivateDnsZoneId: tableDns.outputs.id
    legalHoldSupport: blobLegalHoldSupport
    logAnalyticsWorkspaceId: monitoring.outputs.id
    tags: tags
  }
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    location: location
    name: postgresServerName
    databaseName: postgresDatabaseName
    entraAdminPrincipalId: identity.outputs.principalId
    entraAdminName: identity.outputs.name
    logAnalyticsWorkspaceId: monitoring.outputs.id
    skuName: postgresSkuName
    skuTier: postgresSkuTier
    storageSizeGB: postgresStorageGB
    zoneRedundantHa: postgresZoneRedundantHa
    backupRetentionDays: postgresBackupRetentionDays
    delegatedSubnetId: network.outputs.postgresSubnetId
    privateDnsZoneId: postgresDns.outputs.id
    tags: tags
  }
}

module keyVaultAccess 'modules/key-vault-access.bicep' = {
  name: 'key-vault-access'
  params: {
    keyVaultName: dataProtectionKeyVaultName
    principalId: identity.outputs.principalId
  }
}

module silo 'modules/silo-app.bicep' = {
  name: 'silo'
  params: {
    location: location
    name: '${namePrefix}-silo'
    tags: tags
    logAnalyticsWorkspaceName: monitoring.outputs.name
    appsSubnetId: network.outputs.appsSubnetId
    trustedProxyNetwork: appsSubnetPrefix
    image: siloImage
    registryServer: registryServer
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    minReplicas: siloMinReplicas
    maxReplicas: max(siloMinReplicas, siloMaxReplicas)
    cpu: siloCpu
    memory: siloMemory
    httpPort: httpPort
    dicomPort: dicomPort
    dicomExposedPort: dicomExposedPort
    dicomTlsPort: dicomTlsPort
    dicomTlsExposedPort: dicomTlsExposedPort
    dicomTlsCertificatePem: dicomTlsCertificatePem
    dicomTlsKeyPem: dicomTlsKeyPem
    dicomAeTitle: dicomAeTitle
    siloPort: siloPort
    gatewayPort: gatewayPort
    clusterId: clusterId
    blobEndpoint: storage.outputs.blobEndpoint
    blobContainerPrefix: blobContainerPrefix
    blobShardCount: blobShardCount
    // No password: the managed identity logs in with its Entra ID token (Mirc__Index__PostgresAuthentication=EntraId).
    postgresConnectionString: 'Host=${postgres.outputs.fqdn};Database=${postgres.outputs.databaseName};Username=${identity.outputs.name};SSL Mode=VerifyFull'
    terminationGracePeriodSeconds: terminationGracePeriodSeconds
    zoneRedundant: zoneRedundant
    dataProtectionKeyVaultUri: keyVaultAccess.outputs.uri
    dataProtectionCertificateName: dataProtectionCertificateName
  }
}

@description('DICOMweb / management base URL.')
output httpsUrl string = 'https://${silo.outputs.fqdn}'

@description('DICOM TLS endpoint (host:port) for modalities and PACS.')
output dicomTlsEndpoint string = '${silo.outputs.fqdn}:${dicomTlsExposedPort}'

@description('DICOM DIMSE endpoint (host:port) for modalities and PACS.')
output dicomEndpoint string = '${silo.outputs.fqdn}:${dicomExposedPort}'

@description('Public IP of the Container Apps environment.')
output environmentStaticIp string = silo.outputs.staticIp

@description('Blob endpoint the silos write to.')
output blobEndpoint string = storage.outputs.blobEndpoint
