using System.Net;
using Mirc.Grains.Reminders;
using Mirc.Grains.Storage.Blobs;
using Orleans.Configuration;

namespace Mirc.Silo.Hosting;

/// <summary>Applies <see cref="MircClusterOptions"/> to the silo: localhost clustering, or membership and reminders in Azure Table storage.</summary>
public static class SiloClustering
{
    public static ISiloBuilder UseMircClustering(this ISiloBuilder silo, MircHostOptions host, MircClusterOptions cluster, BlobStorageOptions storage)
    {
        switch (cluster.Mode)
        {
            case ClusterMode.Localhost:
                silo.UseLocalhostClustering(host.SiloPort, host.GatewayPort, serviceId: host.ServiceId, clusterId: host.ClusterId);
                silo.Configure<EndpointOptions>(o => o.AdvertisedIPAddress = IPAddress.Loopback);
                // Durable: a bucket whose erasure awaits a retry must still be reminded after a restart.
                silo.UseArchiveReminderTable();
                break;
            case ClusterMode.AzureStorage:
                var tables = ClusterTableClient.Create(storage);
                ConfigureClusterEndpoints(silo, host, cluster);
                silo.UseAzureStorageClustering(o => o.TableServiceClient = tables);
                silo.UseAzureTableReminderService(o => o.TableServiceClient = tables);
                break;
        }

        return silo;
    }

    private static void ConfigureClusterEndpoints(ISiloBuilder silo, MircHostOptions host, MircClusterOptions cluster)
    {
        silo.Configure<ClusterOptions>(o => { o.ClusterId = host.ClusterId; o.ServiceId = host.ServiceId; });
        silo.ConfigureEndpoints(
            IPAddress.Parse(cluster.AdvertisedAddress ?? "127.0.0.1"),
            host.SiloPort,
            host.GatewayPort,
            listenOnAnyHostAddress: cluster.AdvertisedAddress is not null);
    }
}
