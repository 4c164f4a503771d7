namespace Mirc.Grains.Interfaces.Patients;

/// <summary>
/// French national health identifier (INS, matricule INS / NIR) found in Other Patient IDs Sequence (0010,1002)
/// with its OID: 1.2.250.1.213.1.4.8 real INS, 1.2.250.1.213.1.4.10 / .11 test / demonstration INS.
/// </summary>
/// <param name="Value">The identifier.</param>
/// <param name="Oid">Assigning authority OID (one of <see cref="RealInsOid"/>, <see cref="TestInsOid"/>, <see cref="DemoInsOid"/>).</param>
[GenerateSerializer, Immutable, Alias("mirc.NationalIdentity")]
public sealed record NationalIdentity([property: Id(0)] string Value, [property: Id(1)] string Oid)
{
    /// <summary>OID of real INS (NIR/NIA).</summary>
    public const string RealInsOid = "1.2.250.1.213.1.4.8";

    /// <summary>OID of test INS.</summary>
    public const string TestInsOid = "1.2.250.1.213.1.4.10";

    /// <summary>OID of demonstration INS.</summary>
    public const string DemoInsOid = "1.2.250.1.213.1.4.11";

    /// <summary>Whether <paramref name="oid"/> designates an INS namespace.</summary>
    public static bool IsInsOid(string? oid) => oid is RealInsOid or TestInsOid or DemoInsOid;

    /// <summary>Key of the <see cref="IInsIdentityGrain"/> for this INS: <c>oid|value</c>.</summary>
    public string Key => $"{Oid}|{Value}";
}
