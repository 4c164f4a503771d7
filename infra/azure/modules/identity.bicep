// User-assigned managed identity the silos use for Azure Blob Storage (and, optionally, the image registry).

@description('Azure region.')
param location string

@description('Identity name.')
param name string

param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id, used to attach the identity to the container app.')
output id string = identity.id

@description('Client id, handed to DefaultAzureCredential as AZURE_CLIENT_ID.')
output clientId string = identity.properties.clientId

@description('Principal id, the subject of role assignments.')
output principalId string = identity.properties.principalId

@description('Identity name (its PostgreSQL role name as Entra administrator).')
output name string = identity.name
