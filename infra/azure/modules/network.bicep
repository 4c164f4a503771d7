// Virtual network: external TCP ingress (DICOM) on Container Apps needs a custom VNet, and it keeps
// PostgreSQL and Storage (blobs, tables) off the public internet (VNet integration / private endpoints).

@description('Azure region.')
param location string

@description('Virtual network name.')
param name string

@description('Address space of the virtual network, e.g. 10.40.0.0/16.')
param addressPrefix string

@description('Subnet of the Container Apps environment (workload profiles: /27 or larger; /23 leaves room to scale).')
param appsSubnetPrefix string

@description('Subnet delegated to the PostgreSQL flexible server.')
param postgresSubnetPrefix string

@description('Subnet holding the private endpoints of the storage account (blob, table).')
param privateEndpointSubnetPrefix string

@description('Published DICOM ports (plain DIMSE, and DICOM TLS when enabled).')
param dicomExposedPorts array

@description('Source networks (CIDR) allowed on the DICOM ports; empty: nobody from the internet.')
param dicomAllowedCidrs array

param tags object

var dicomPortRanges = [for port in dicomExposedPorts: string(port)]

// The DICOM ports accept only the establishments' networks (their egress addresses or VPN ranges); HTTPS stays open
// (it authenticates every call). The rules sit on the Container Apps subnet, which receives the published ports.
resource appsNsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {
  name: '${name}-apps-nsg'
  location: location
  tags: tags
  properties: {
    securityRules: concat(empty(dicomAllowedCidrs) ? [] : [
      {
        name: 'allow-dicom-from-establishments'
        properties: {
          priority: 100
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefixes: dicomAllowedCidrs
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRanges: dicomPortRanges
        }
      }
    ], [
      {
        name: 'deny-dicom-from-elsewhere'
        properties: {
          priority: 110
          direction: 'Inbound'
          access: 'Deny'
          protocol: 'Tcp'
          sourceAddressPrefix: 'Internet'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRanges: dicomPortRanges
        }
      }
    ])
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'apps'
        properties: {
          addressPrefix: appsSubnetPrefix
          networkSecurityGroup: {
            id: appsNsg.id
          }
          delegations: [
            {
              name: 'containerApps'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'postgres'
        properties: {
          addressPrefix: postgresSubnetPrefix
          delegations: [
            {
              name: 'postgresFlexible'
              properties: {
                serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers'
              }
            }
          ]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

@description('Virtual network resource id (private DNS zones link to it).')
output id string = vnet.id

@description('Subnet of the Container Apps environment.')
output appsSubnetId string = vnet.properties.subnets[0].id

@description('Subnet delegated to PostgreSQL.')
output postgresSubnetId string = vnet.properties.subnets[1].id

@description('Subnet of the private endpoints.')
output privateEndpointSubnetId string = vnet.properties.subnets[2].id
