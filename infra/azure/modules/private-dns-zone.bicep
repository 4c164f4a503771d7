// A private DNS zone linked to the virtual network, so names of private endpoints resolve to private IPs.

@description('Zone name, e.g. privatelink.blob.core.windows.net.')
param zoneName string

@description('Virtual network the zone is linked to.')
param vnetId string

param tags object

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: zoneName
  location: 'global'
  tags: tags
}

resource link 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: zone
  name: 'vnet'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnetId
    }
  }
}

@description('Zone resource id.')
output id string = zone.id
