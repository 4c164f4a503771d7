namespace Mirc.Grains.Interfaces.Establishments;

/// <summary>What a registered application entity may do.</summary>
[Flags]
public enum AePermissions
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>C-STORE into the archive.</summary>
    Store = 1,

    /// <summary>C-FIND.</summary>
    Query = 2,

    /// <summary>C-GET / C-MOVE as requester.</summary>
    Retrieve = 4,

    /// <summary>May be the destination of a C-MOVE (the archive connects to its host/port).</summary>
    MoveDestination = 8,

    /// <summary>All of the above.</summary>
    All = Store | Query | Retrieve | MoveDestination,
}
