namespace Mirc.Grains.Interfaces.Consent;

/// <summary>Deployment-wide consent model (option <c>Mirc:Consent:Policy</c>).</summary>
public enum ConsentPolicy
{
    /// <summary>Shared by default; the patient may oppose (French regional model).</summary>
    OptOut = 0,

    /// <summary>Shared only after the patient's explicit consent.</summary>
    OptIn = 1,
}
