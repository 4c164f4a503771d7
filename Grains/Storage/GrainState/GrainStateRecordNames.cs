namespace Mirc.Grains.Storage.GrainState;

/// <summary>How <see cref="BlobGrainStorage"/> names its records.</summary>
public enum GrainStateRecordNames
{
    /// <summary>
    /// <c>{state}/{grainType}/{key}.rec</c> (<see cref="GrainStateBlobNaming.FramedKeyFor"/>), and the former unframed
    /// <c>{state}/{grainType}/{key}</c> still read: records on Azure written before Orleans' blob provider (a migration
    /// source, the second site's mirror), where a container holds any number of names.
    /// </summary>
    Flat,

    /// <summary>
    /// <c>{state}/{grainType}/{ff}/{key}.rec</c> (<see cref="GrainStateBlobNaming.FannedOutKeyFor"/>), framed form only:
    /// the embedded default's folders, whose flat records <see cref="GrainStateFolderUpgrade"/> moves there at start-up.
    /// </summary>
    FannedOut,
}
