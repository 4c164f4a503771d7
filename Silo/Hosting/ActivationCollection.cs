using Microsoft.Extensions.Options;
using Mirc.Grains.ChangeFeed.Follower;
using Mirc.Grains.Patients;
using Mirc.Grains.Studies;
using Orleans.Configuration;

namespace Mirc.Silo.Hosting;

/// <summary>Composes <see cref="ActivationCollectionOptions"/> into Orleans' idle-activation collection and locator cache.</summary>
public static class ActivationCollection
{
    /// <summary>Binds and validates <c>Mirc:Activations</c> (at start-up) and applies it to <see cref="GrainCollectionOptions"/>.</summary>
    public static ISiloBuilder AddMircActivationCollection(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Services.AddOptions<ActivationCollectionOptions>()
            .Bind(configuration.GetSection(ActivationCollectionOptions.Section))
            .ValidateOnStart();
        silo.Services.AddSingleton<IValidateOptions<ActivationCollectionOptions>>(
            sp => new ActivationCollectionValidation(sp.GetRequiredService<IOptions<ChangeFeedFollowerOptions>>().Value));
        silo.Services.AddOptions<GrainCollectionOptions>()
            .Configure<IOptions<ActivationCollectionOptions>>((orleans, ours) => Apply(ours.Value, orleans));
        silo.Services.AddOptions<GrainDirectoryOptions>()
            .Configure<IOptions<ActivationCollectionOptions>>((directory, ours) => directory.CacheSize = ours.Value.LocatorCacheSize);
        return silo;
    }

    /// <summary>Sets the quantum, the default age and the age of each grain class a new study activates.</summary>
    public static void Apply(ActivationCollectionOptions options, GrainCollectionOptions orleans)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(orleans);
        orleans.CollectionQuantum = options.CollectionQuantum;
        orleans.CollectionAge = options.DefaultIdleAge;
        // Orleans looks a class's age up by its full type name.
        orleans.ClassSpecificCollectionAge[typeof(StudyGrain).FullName!] = options.StudyIdleAge;
        orleans.ClassSpecificCollectionAge[typeof(PatientGrain).FullName!] = options.PatientIdleAge;
        orleans.ClassSpecificCollectionAge[typeof(PatientIdentityIndexGrain).FullName!] = options.IdentityIdleAge;
        orleans.ClassSpecificCollectionAge[typeof(InsIdentityGrain).FullName!] = options.IdentityIdleAge;
    }
}
