using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.ChangeFeed.Follower;
using Mirc.Grains.Establishments;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Patients;
using Mirc.Grains.Reminders;
using Mirc.Grains.Research;
using Mirc.Grains.Retention;
using Mirc.Grains.Retrieval;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.GrainState;
using Mirc.Grains.Storage.Orphans;
using Mirc.Grains.Storage.Replication;
using Mirc.Grains.Studies;
using Orleans.Storage;

namespace Mirc.Grains.Hosting;

/// <summary>Registers the archive domain: storage, grain state provider "archive", ingest and retrieval pipelines.</summary>
public static class ArchiveServiceCollectionExtensions
{
    /// <summary>
    /// Silo side: <see cref="AddMircArchive(IServiceCollection, IConfiguration)"/> plus the "archive" grain-state
    /// provider with its journaled variant — <see cref="BlobGrainStorage"/> on the embedded filesystem store, Orleans'
    /// Azure blob grain storage in Azure mode (<see cref="AzureGrainStorageSiloBuilderExtensions"/>) — and the start-up
    /// ingest reconciliation.
    /// </summary>
    public static ISiloBuilder AddMircArchive(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddMircArchive(configuration);
        if (!silo.Services.Any(d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, StorageProviders.Archive)))
        {
            if (configuration.GetSection(BlobStorageOptions.Section).Get<BlobStorageOptions>()?.Provider == BlobStorageProvider.Azure)
            {
                silo.AddAzureArchiveGrainStorage();
            }
            else
            {
                silo.AddBlobGrainStorage(StorageProviders.Archive);
                silo.AddBlobGrainStorage(StorageProviders.ArchiveJournaled, publishLazily: true);
            }
        }

        silo.Services.AddMircResearch(configuration);
        silo.Services.AddReplicaMaintenance(configuration);
        silo.Services.AddChangeFeedFollower(configuration);
        ReminderJobStartup.Register(silo.Services, "Retention sweep", grains => grains.Reference<IRetentionSweepGrain>(RetentionKeys.Schedule).ScheduleAsync());
        silo.Services.AddOptions<OrphanSweepOptions>()
            .Bind(configuration.GetSection(OrphanSweepOptions.Section))
            .ValidateDataAnnotations()
            .Validate<IOptions<IngestOptions>>((o, ingest) => o.GracePeriod >= ingest.Value.ReconcileOlderThan,
                "Mirc:OrphanSweep:GracePeriod must not be shorter than Mirc:Ingest:ReconcileOlderThan (an ingest still in flight is not an orphan).")
            .ValidateOnStart();
        silo.Services.TryAddSingleton<OrphanSweep>();
        ReminderJobStartup.Register(silo.Services, "Orphan sweep", grains => grains.Reference<IOrphanSweepGrain>(IOrphanSweepGrain.Key).ScheduleAsync());
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, InstanceFolderPreparation>();
        silo.Services.AddSingleton<IngestReconciliationSchedule>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<IngestReconciliationSchedule>());
        return silo;
    }

    /// <summary>
    /// Services: storage (blob store, instance layout, query index — <see cref="StorageServiceCollectionExtensions.AddMircStorage"/>),
    /// validated options (<c>Mirc:Archive:*</c>), <see cref="IInstanceIngestor"/>, <see cref="IInstanceRetriever"/>,
    /// <see cref="AeTitleResolver"/>, <see cref="PatientResolver"/>, <see cref="IngestReconciler"/>.
    /// Services registered before (e.g. a test <see cref="IBlobStore"/>) are kept.
    /// </summary>
    public static IServiceCollection AddMircArchive(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddMircStorage(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddChangeFeed(configuration);
        AddValidatedOptions<StudyManifestOptions>(services, configuration, StudyManifestOptions.Section);
        AddValidatedOptions<IngestOptions>(services, configuration, IngestOptions.Section);
        AddValidatedOptions<RetrievalOptions>(services, configuration, RetrievalOptions.Section);
        AddValidatedOptions<AeTitleResolverOptions>(services, configuration, AeTitleResolverOptions.Section);
        AddValidatedOptions<RetentionOptions>(services, configuration, RetentionOptions.Section);
        services.TryAddSingleton<RetentionSweep>();

        services.TryAddSingleton<AeTitleResolver>();
        services.TryAddSingleton<PatientResolutionCache>();
        services.TryAddSingleton(sp => new PatientResolver(
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<ILogger<PatientResolver>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<PatientResolutionCache>(),
            firstRecordsJoinCallerFlush: sp.GetKeyedService<IGrainStorage>(StorageProviders.Archive) is BlobGrainStorage { FirstRecordsJoinCallerFlush: true }));
        services.TryAddSingleton(sp => new IngestJournal(
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<InstanceBlobLayout>(),
            sp.GetRequiredService<ILogger<IngestJournal>>(),
            sp.GetService<ILocalSiloDetails>()?.SiloAddress,
            sp.GetRequiredService<IOptions<IngestOptions>>().Value.JournalSlotReuseWindow,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new InstanceRegistrar(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<IQueryIndex>(), sp.GetRequiredService<ILogger<InstanceRegistrar>>()));
        services.TryAddSingleton(sp => new FailedIngestUndo(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<InstanceBlobLayout>(), sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<IQueryIndex>(), sp.GetRequiredService<ILogger<FailedIngestUndo>>()));
        services.TryAddSingleton<UnidentifiedPatients>();
        services.TryAddSingleton(sp => new InstanceIngestor(
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<InstanceBlobLayout>(),
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<PatientResolver>(),
            sp.GetRequiredService<InstanceRegistrar>(),
            sp.GetRequiredService<IngestJournal>(),
            sp.GetRequiredService<FailedIngestUndo>(),
            sp.GetRequiredService<UnidentifiedPatients>(),
            sp.GetRequiredService<Mirc.Grains.Interfaces.Audit.IAuditTrail>(),
            sp.GetRequiredService<IOptions<IngestOptions>>(),
            sp.GetRequiredService<ILogger<InstanceIngestor>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IInstanceIngestor>(sp => sp.GetRequiredService<InstanceIngestor>());
        services.TryAddSingleton(sp => new IngestReconciler(
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<InstanceBlobLayout>(),
            sp.GetRequiredService<IngestJournal>(),
            sp.GetRequiredService<FailedIngestUndo>(),
            sp.GetRequiredService<PatientResolver>(),
            sp.GetRequiredService<InstanceRegistrar>(),
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<IOptions<IngestOptions>>(),
            sp.GetRequiredService<ILogger<IngestReconciler>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IClusterMembershipService>()));
        services.TryAddSingleton<InstanceRetriever>();
        services.TryAddSingleton<IInstanceRetriever>(sp => sp.GetRequiredService<InstanceRetriever>());
        return services;
    }

    private static void AddValidatedOptions<T>(IServiceCollection services, IConfiguration configuration, string section)
        where T : class
    {
        services.AddOptions<T>()
            .Bind(configuration.GetSection(section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, AnnotatedOptionsValidator<T>>());
    }
}
