namespace Mirc.Grains.Indexing;

/// <summary>How the silo authenticates to PostgreSQL (<c>Mirc:Index:PostgresAuthentication</c>).</summary>
public enum PostgresAuthentication
{
    /// <summary>The password of the connection string.</summary>
    Password = 0,

    /// <summary>
    /// A Microsoft Entra ID access token as the password (Azure Database for PostgreSQL): the connection string names the
    /// Entra principal (e.g. the managed identity) as Username and carries no password.
    /// </summary>
    EntraId = 1,
}
