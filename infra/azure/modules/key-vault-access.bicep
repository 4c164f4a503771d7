// Read access of the silos' identity to the Key Vault certificate that wraps the Data Protection key ring
// (Mirc:DataProtection:KeyVaultUri / CertificateName). The vault is the operator's (RBAC authorization); the
// certificate is created there before the first rollout (RSA, exportable: the default policy), see infra/README.md.

@description('Name of the existing Key Vault (same resource group).')
param keyVaultName string

@description('Principal id of the silos\' managed identity.')
param principalId string

// Key Vault Certificate User: list the certificate's versions. Key Vault Secrets User: download a version with its key.
var certificateUserRoleId = 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba'
var secretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource certificateUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, principalId, certificateUserRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', certificateUserRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, principalId, secretsUserRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Vault URI (Mirc:DataProtection:KeyVaultUri).')
output uri string = vault.properties.vaultUri
