// Example parameters. Secrets come from the environment of the deploying shell, never from this file:
//   export MIRC_POSTGRES_PASSWORD='…'   (8-128 chars, three of: upper, lower, digit, symbol)
//   az deployment group create -g mirc-prod -f main.bicep -p main.bicepparam
using 'main.bicep'

param namePrefix = 'mircprod'
param siloImage = 'myregistry.azurecr.io/mirc-silo:1.0.0'
param registryServer = 'myregistry.azurecr.io'
param siloMinReplicas = 2
param siloMaxReplicas = 4
param siloCpu = '2.0'
param siloMemory = '4Gi'
param dicomExposedPort = 11112
param storageSku = 'Standard_ZRS'
param blobSoftDeleteDays = 14
param postgresSkuName = 'Standard_D2ds_v5'
param postgresSkuTier = 'GeneralPurpose'
param postgresZoneRedundantHa = true
param postgresAdminPassword = readEnvironmentVariable('MIRC_POSTGRES_PASSWORD')
param dataProtectionKeyVaultName = 'mircprod-kv'
param tags = {
  application: 'mirc'
  environment: 'production'
}
