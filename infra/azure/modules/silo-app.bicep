// The Mirc silo as an Azure Container App: HTTPS ingress for DICOMweb/management, an external TCP port for DICOM
// DIMSE, >= 2 replicas forming one Orleans cluster (membership and reminders in the storage account's tables).
// Replicas reach each other's silo port directly on their VNet addresses; the image's entrypoint advertises the
// replica's own address.

@description('Azure region.')
param location string

@description('Container app name (also the first label of its FQDN).')
param name string

param tags object

@description('Log Analytics workspace name (logs of the environment).')
param logAnalyticsWorkspaceName string

@description('Subnet delegated to Microsoft.App/environments.')
param appsSubnetId string

@description('Address prefix of that subnet: the ingress proxies come from it (Mirc:Http:TrustedProxies).')
param trustedProxyNetwork string

@description('Container image, e.g. myregistry.azurecr.io/mirc-silo:1.0.0.')
param image string

@description('Registry login server pulled with the managed identity (needs AcrPull); empty for a public image.')
param registryServer string

@description('User-assigned managed identity resource id.')
param identityId string

@description('Client id of that identity (DefaultAzureCredential reads AZURE_CLIENT_ID).')
param identityClientId string

@description('Replicas that always run (the Orleans cluster size floor).')
@minValue(2)
param minReplicas int

@description('Replica ceiling for HTTP-driven scale out.')
@minValue(2)
param maxReplicas int

@description('vCPU per replica (0.25 steps, Consumption profile: up to 4).')
param cpu string

@description('Memory per replica, 2 GiB per vCPU on the Consumption profile, e.g. 4Gi.')
param memory string

@description('Port the HTTP server listens on inside the container.')
param httpPort int

@description('DICOM DIMSE port inside the container.')
param dicomPort int

@description('AE title of the archive\'s DICOM listener.')
@minLength(1)
@maxLength(16)
param dicomAeTitle string

@description('DICOM port published on the environment\'s public address (unique in the environment).')
param dicomExposedPort int

@description('DICOM TLS port inside the container (Mirc:Dicom:Tls:Port).')
param dicomTlsPort int

@description('DICOM TLS port published on the environment.')
param dicomTlsExposedPort int

// DICOM TLS: certificate and key as container app secrets, mounted as files at /certs (Mirc:Dicom:Tls:CertificatePath,
// KeyPath); remote peers must use TLS (RequireForRemotePeers=true), plain DIMSE stays for the allowed networks' legacy
// devices only if an operator turns that off.
@description('PEM certificate (chain) of the DICOM TLS listener.')
@secure()
param dicomTlsCertificatePem string

@description('PEM private key of that certificate.')
@secure()
param dicomTlsKeyPem string

@description('Orleans silo-to-silo port.')
param siloPort int

@description('Orleans gateway port.')
param gatewayPort int

@description('Orleans ClusterId / ServiceId shared by all replicas.')
param clusterId string

// The silo derives the table endpoint of the membership and reminder tables from it.
@description('Blob endpoint of the storage account (Mirc:Storage:AccountUri).')
param blobEndpoint string

@description('Prefix of the blob containers (Mirc:Storage:ContainerPrefix).')
param blobContainerPrefix string

@description('Instance shard count (Mirc:Storage:ShardCount). Never change it on a live archive.')
param blobShardCount int

@description('Npgsql connection string of the query index (stored as a container app secret).')
@secure()
param postgresConnectionString string

@description('Key Vault URI of the certificate wrapping the Data Protection keys (Mirc:DataProtection:KeyVaultUri).')
param dataProtectionKeyVaultUri string

@description('Name of that certificate (Mirc:DataProtection:CertificateName).')
param dataProtectionCertificateName string

@description('Spread the environment over availability zones (the region must have zones).')
param zoneRedundant bool

@description('Seconds a stopping replica gets to leave the cluster and drain DICOM associations.')
@minValue(10)
@maxValue(600)
param terminationGracePeriodSeconds int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsWorkspaceName
}

resource environment 'Microsoft.App/managedEnvironments@2025-01-01' = {
  name: '${name}-env'
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: workspace.properties.customerId
        sharedKey: workspace.listKeys().primarySharedKey
      }
    }
    vnetConfiguration: {
      infrastructureSubnetId: appsSubnetId
      internal: false
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
    zoneRedundant: zoneRedundant
  }
}

resource app 'Microsoft.App/containerApps@2025-01-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        transport: 'http'
        targetPort: httpPort
        allowInsecure: false
        additionalPortMappings: [
          {
            external: true
            targetPort: dicomPort
            exposedPort: dicomExposedPort
          }
          {
            external: true
            targetPort: dicomTlsPort
            exposedPort: dicomTlsExposedPort
          }
        ]
      }
      registries: empty(registryServer) ? [] : [
        {
          server: registryServer
          identity: identityId
        }
      ]
      secrets: [
        {
          name: 'postgres-connection'
          value: postgresConnectionString
        }
        {
          name: 'dicom-tls-cert'
          value: dicomTlsCertificatePem
        }
        {
          name: 'dicom-tls-key'
          value: dicomTlsKeyPem
        }
      ]
    }
    template: {
      terminationGracePeriodSeconds: terminationGracePeriodSeconds
      containers: [
        {
          name: 'silo'
          image: image
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          env: [
            { name: 'ASPNETCORE_ENVIRONMENT', value: 'Production' }
            { name: 'Mirc__HttpUrl', value: 'http://0.0.0.0:${httpPort}' }
            // TLS ends at the Container Apps ingress, whose proxies run in the environment's infrastructure subnet.
            { name: 'Mirc__Http__BehindTlsProxy', value: 'true' }
            { name: 'Mirc__Http__TrustedProxies__0', value: trustedProxyNetwork }
            { name: 'Mirc__DataPath', value: '/data' }
            { name: 'Mirc__Dicom__Port', value: string(dicomPort) }
            { name: 'Mirc__Dicom__BindAddress', value: '0.0.0.0' }
            { name: 'Mirc__Dicom__AeTitle', value: dicomAeTitle }
            { name: 'Mirc__Dicom__Tls__Port', value: string(dicomTlsPort) }
            { name: 'Mirc__Dicom__Tls__CertificatePath', value: '/certs/dicom-tls.crt' }
            { name: 'Mirc__Dicom__Tls__KeyPath', value: '/certs/dicom-tls.key' }
            { name: 'Mirc__Dicom__Tls__RequireForRemotePeers', value: 'true' }
            { name: 'Mirc__SiloPort', value: string(siloPort) }
            { name: 'Mirc__GatewayPort', value: string(gatewayPort) }
            { name: 'Mirc__ClusterId', value: clusterId }
            { name: 'Mirc__ServiceId', value: clusterId }
            // Membership and reminders in Azure Table storage of the blob account (managed identity, table data role).
            { name: 'Mirc__Cluster__Mode', value: 'AzureStorage' }
            { name: 'Mirc__Storage__Provider', value: 'Azure' }
            { name: 'Mirc__Storage__AccountUri', value: blobEndpoint }
            { name: 'Mirc__Storage__ContainerPrefix', value: blobContainerPrefix }
            { name: 'Mirc__Storage__ShardCount', value: string(blobShardCount) }
            // The shared Data Protection key ring (in the blobs) is wrapped with this Key Vault certificate.
            { name: 'Mirc__DataProtection__KeyVaultUri', value: dataProtectionKeyVaultUri }
            { name: 'Mirc__DataProtection__CertificateName', value: dataProtectionCertificateName }
            { name: 'Mirc__Index__Provider', value: 'Postgres' }
            { name: 'Mirc__Index__ConnectionString', secretRef: 'postgres-connection' }
            // The managed identity's Entra ID token is the PostgreSQL password (password authentication is disabled).
            { name: 'Mirc__Index__PostgresAuthentication', value: 'EntraId' }
            { name: 'Mirc__Api__RequireAuthorization', value: 'true' }
            { name: 'Mirc__Api__PublicBaseUrl', value: 'https://${name}.${environment.properties.defaultDomain}' }
            { name: 'AZURE_CLIENT_ID', value: identityClientId }
          ]
          // Container Apps caps failureThreshold at 10 and initialDelaySeconds at 60: the startup probe allows ~110 s.
          probes: [
            {
              type: 'Startup'
              httpGet: {
                path: '/healthz'
                port: httpPort
              }
              initialDelaySeconds: 10
              periodSeconds: 10
              failureThreshold: 10
            }
            {
              type: 'Liveness'
              httpGet: {
                path: '/healthz'
                port: httpPort
              }
              periodSeconds: 10
              failureThreshold: 3
            }
            {
              type: 'Readiness'
              httpGet: {
                path: '/readyz'
                port: httpPort
              }
              periodSeconds: 5
              failureThreshold: 3
            }
          ]
          volumeMounts: [
            {
              volumeName: 'data'
              mountPath: '/data'
            }
            {
              volumeName: 'certs'
              mountPath: '/certs'
            }
          ]
        }
      ]
      volumes: [
        {
          name: 'data'
          storageType: 'EmptyDir'
        }
        {
          name: 'certs'
          storageType: 'Secret'
          secrets: [
            {
              secretRef: 'dicom-tls-cert'
              path: 'dicom-tls.crt'
            }
            {
              secretRef: 'dicom-tls-key'
              path: 'dicom-tls.key'
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'http-concurrency'
            http: {
              metadata: {
                concurrentRequests: '200'
              }
            }
          }
        ]
      }
    }
  }
}

@description('HTTPS host name of the app (DICOMweb base: https://<fqdn>/).')
output fqdn string = app.properties.configuration.ingress.fqdn

@description('Public IP of the environment (the DICOM TCP port is published there and on the app FQDN).')
output staticIp string = environment.properties.staticIp
