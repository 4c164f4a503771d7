// Example parameters. No database password exists: PostgreSQL accepts the silos' managed identity (Entra ID) only.
// Secrets (the DICOM TLS key) come from the environment of the deploying shell, never from this file:
//   export MIRC_DICOM_TLS_CERT="$(cat dicom.crt)" MIRC_DICOM_TLS_KEY="$(cat dicom.key)"
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
// Establishments' egress / VPN ranges allowed on the DICOM ports (documentation ranges here).
param dicomAllowedCidrs = [
  '192.0.2.0/24'
  '198.51.100.0/24'
]
param dicomTlsCertificatePem = readEnvironmentVariable('MIRC_DICOM_TLS_CERT')
param dicomTlsKeyPem = readEnvironmentVariable('MIRC_DICOM_TLS_KEY')
param dataProtectionKeyVaultName = 'mircprod-kv'
param tags = {
  application: 'mirc'
  environment: 'production'
}
