using Mirc.Grains.ChangeFeed.Follower;
using Mirc.Grains.Patients;
using Mirc.Grains.Studies;
using Mirc.Silo.Hosting;
using Orleans.Configuration;
using Xunit;

namespace Mirc.Api.Tests.Hosting;

/// <summary><c>Mirc:Activations</c> reaches Orleans' collection options, and settings Orleans would refuse are named at start-up.</summary>
public sealed class ActivationCollectionTests
{
    [Fact]
    public void The_defaults_are_valid_and_give_the_grains_of_a_new_study_their_short_idle_age()
    {
        var options = new ActivationCollectionOptions();
        Assert.True(new ActivationCollectionValidation(new ChangeFeedFollowerOptions()).Validate(null, options).Succeeded);

        var orleans = new GrainCollectionOptions();
        ActivationCollection.Apply(options, orleans);

        Assert.Equal(TimeSpan.FromSeconds(1), orleans.CollectionQuantum);
        Assert.Equal(TimeSpan.FromMinutes(15), orleans.CollectionAge);
        Assert.Equal(TimeSpan.FromSeconds(2), orleans.ClassSpecificCollectionAge[typeof(StudyGrain).FullName!]);
        Assert.Equal(TimeSpan.FromSeconds(2), orleans.ClassSpecificCollectionAge[typeof(PatientGrain).FullName!]);
        Assert.Equal(TimeSpan.FromSeconds(2), orleans.ClassSpecificCollectionAge[typeof(PatientIdentityIndexGrain).FullName!]);
        Assert.Equal(TimeSpan.FromSeconds(2), orleans.ClassSpecificCollectionAge[typeof(InsIdentityGrain).FullName!]);
    }

    [Fact]
    public void An_idle_age_not_longer_than_the_quantum_is_refused_with_its_setting_name()
    {
        var result = new ActivationCollectionValidation(new ChangeFeedFollowerOptions()).Validate(null, new ActivationCollectionOptions
        {
            CollectionQuantum = TimeSpan.FromSeconds(2),
            StudyIdleAge = TimeSpan.FromSeconds(2),
            PatientIdleAge = TimeSpan.FromSeconds(5),
            IdentityIdleAge = TimeSpan.FromSeconds(5),
        });

        Assert.True(result.Failed);
        Assert.Contains("Mirc:Activations:StudyIdleAge", result.FailureMessage);
        Assert.DoesNotContain("PatientIdleAge", result.FailureMessage);
    }

    [Fact]
    public void A_locator_cache_too_small_to_be_one_is_refused()
    {
        var result = new ActivationCollectionValidation(new ChangeFeedFollowerOptions()).Validate(null, new ActivationCollectionOptions { LocatorCacheSize = 0 });

        Assert.True(result.Failed);
        Assert.Contains("Mirc:Activations:LocatorCacheSize", result.FailureMessage);
    }

    [Fact]
    public void A_zero_quantum_is_refused()
    {
        var result = new ActivationCollectionValidation(new ChangeFeedFollowerOptions()).Validate(null, new ActivationCollectionOptions { CollectionQuantum = TimeSpan.Zero });

        Assert.True(result.Failed);
        Assert.Contains("Mirc:Activations:CollectionQuantum", result.FailureMessage);
    }

    [Fact]
    public void A_follower_slower_than_the_idle_ages_is_refused_unless_it_only_runs_on_demand()
    {
        var slow = new ChangeFeedFollowerOptions { PollInterval = TimeSpan.FromSeconds(2), SettleDelay = TimeSpan.FromSeconds(1) };
        var defaults = new ActivationCollectionOptions();

        var result = new ActivationCollectionValidation(slow).Validate(null, defaults);
        Assert.True(result.Failed);
        Assert.Contains("Mirc:ChangeFeed:Follower:SettleDelay + PollInterval", result.FailureMessage);

        Assert.True(new ActivationCollectionValidation(new ChangeFeedFollowerOptions()).Validate(null, defaults).Succeeded);
        Assert.True(new ActivationCollectionValidation(new ChangeFeedFollowerOptions { PollInterval = TimeSpan.FromSeconds(2), SettleDelay = TimeSpan.FromSeconds(1), Enabled = false }).Validate(null, defaults).Succeeded);
        Assert.True(new ActivationCollectionValidation(slow).Validate(null, new ActivationCollectionOptions { StudyIdleAge = TimeSpan.FromSeconds(5), PatientIdleAge = TimeSpan.FromSeconds(5) }).Succeeded);
    }
}
