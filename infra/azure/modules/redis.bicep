// Azure Cache for Redis: Orleans cluster membership and reminders. TLS only, reached through a private endpoint.

@description('Azure region.')
param location string

@description('Cache name, globally unique.')
param name string

@description('Basic has no replica and no SLA; Standard (primary + replica) is the minimum for production.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param skuName string

@description('Cache size: C0..C6 for Basic/Standard, P1..P5 for Premium.')
@minValue(0)
@maxValue(6)
param capacity int

@description('Subnet of the Redis private endpoint.')
param privateEndpointSubnetId string

@description('Private DNS zone privatelink.redis.cache.windows.net.')
param redisPrivateDnsZoneId string

param tags object

resource cache 'Microsoft.Cache/redis@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: skuName
      family: skuName == 'Premium' ? 'P' : 'C'
      capacity: capacity
    }
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Disabled'
    redisVersion: '6'
  }
}

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: '${name}-pe'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: privateEndpointSubnetId
    }
    privateLinkServiceConnections: [
      {
        name: 'redis'
        properties: {
          privateLinkServiceId: cache.id
          groupIds: [
            'redisCache'
          ]
        }
      }
    ]
  }
}

resource endpointDns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: 'redis'
        properties: {
          privateDnsZoneId: redisPrivateDnsZoneId
        }
      }
    ]
  }
}

@description('Cache name; the caller reads its access key with listKeys() so the key never leaves the deployment as an output.')
output name string = cache.name

@description('Host name of the cache.')
output hostName string = cache.properties.hostName

@description('TLS port.')
output sslPort int = cache.properties.sslPort
