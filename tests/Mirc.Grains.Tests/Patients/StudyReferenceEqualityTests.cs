using System.Reflection;
using Mirc.Grains.Interfaces.Patients;
using Xunit;

namespace Mirc.Grains.Tests.Patients;

/// <summary>
/// A study reference's equality is written by hand (its modalities compared item by item): every member must take part,
/// so a member added later without it fails here rather than leaving a changed reference unwritten.
/// </summary>
public sealed class StudyReferenceEqualityTests
{
    private static StudyReference Reference() => new()
    {
        StudyInstanceUid = "1.2.3",
        EstablishmentId = "750000001",
        StudyDate = "20261205",
        Modalities = ["CT", "SR"],
        StudyDescription = "THORAX",
        InstanceCount = 3,
        Size = 1_000,
        LocalId = new LocalPatientId("750000001", "ISSUER", "PID-1"),
    };

    [Fact]
    public void References_with_the_same_members_are_equal_whatever_list_holds_the_modalities()
    {
        var copy = Reference() with { Modalities = new List<string> { "CT", "SR" } };

        Assert.Equal(Reference(), copy);
        Assert.Equal(Reference().GetHashCode(), copy.GetHashCode());
    }

    public static TheoryData<string> Members() =>
        [.. typeof(StudyReference).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(Members))]
    public void References_differing_in_one_member_are_not_equal(string member)
    {
        var property = typeof(StudyReference).GetProperty(member)!;
        var changed = Reference() with { };
        property.SetValue(changed, Other(property.PropertyType, property.GetValue(changed)));

        Assert.NotEqual(Reference(), changed);
    }

    private static object? Other(Type type, object? value) => value switch
    {
        string text => text + "-other",
        int number => number + 1,
        long number => number + 1,
        IReadOnlyList<string> list => list.Append("MR").ToList(),
        LocalPatientId id => id with { PatientId = id.PatientId + "-other" },
        _ => throw new InvalidOperationException($"no other value for a {type.Name}: extend this test with the new member's type"),
    };
}
