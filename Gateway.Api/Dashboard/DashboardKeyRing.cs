using System.Xml.Linq;
using Gateway.Api.Security;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Npgsql;

namespace Gateway.Api.Dashboard;

/// <summary>
/// The keys that sign dashboard session and anti-forgery cookies, kept in PostgreSQL so every node of a fleet (and a
/// restarted one) reads the same ring, and sealed with the master key so that reading the database is not enough to
/// forge a session.
/// </summary>
public sealed class DashboardKeyRing(GatewayOptions options) : IXmlRepository
{
    string Table => $"\"{options.Schema}\".{DashboardTables.Keys}";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = Open();
        using var command = new NpgsqlCommand($"select xml from {Table}", connection);
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = Open();
        using var command = new NpgsqlCommand($"insert into {Table} (name, xml) values ($1, $2) on conflict (name) do nothing", connection);
        command.Parameters.AddWithValue(friendlyName);
        command.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }

    NpgsqlConnection Open()
    {
        var connection = new NpgsqlConnection(options.Db);
        connection.Open();
        return connection;
    }
}

/// <summary>Seals each key of the ring with the gateway's master key (AES-GCM, <see cref="SecretBox"/>).</summary>
public sealed class MasterKeyXmlEncryptor(SecretBox secrets) : IXmlEncryptor
{
    public const string Purpose = "dashboard-key-ring";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
        new(new XElement("sealed", secrets.SealText(plaintextElement.ToString(SaveOptions.DisableFormatting), Purpose)), typeof(MasterKeyXmlDecryptor));
}

/// <summary>Opens a key sealed by <see cref="MasterKeyXmlEncryptor"/>; built by Data Protection with the service provider.</summary>
public sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) =>
        XElement.Parse(services.GetRequiredService<SecretBox>().OpenText(encryptedElement.Value, MasterKeyXmlEncryptor.Purpose));
}
