"""Prepares a moto server (127.0.0.1) for the ECR tests through its own AWS APIs, with boto3.

Usage: moto_aws.py ENDPOINT

Creates an IAM user with an access key and a role the user may assume, both allowed
ecr:GetAuthorizationToken; turns moto's signature and IAM checks on (its reset-auth API, count
0: every later request must be signed with a key moto issued); then, with those checks on, has
boto3 mint an ECR token with the user's keys and with temporary credentials from
sts:AssumeRole. Prints one JSON object: the keys, the temporary credentials and the two tokens
boto3 received, for the test to compare with what the module renders.
"""

import json
import sys
import urllib.request

import boto3

REGION = "us-east-1"
ACCOUNT = "123456789012"
ALLOW_ECR = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "sts:AssumeRole"], "Resource": "*"}
        ],
    }
)


def client(service, endpoint, key_id, secret, token=None):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=token,
    )


def main():
    endpoint = sys.argv[1]
    # Before the checks are on, any key is accepted: set up the user and the role.
    iam = client("iam", endpoint, "AKIASETUPSETUPSETUP0", "setup")
    iam.create_user(UserName="registry-config-ci")
    iam.put_user_policy(UserName="registry-config-ci", PolicyName="ecr", PolicyDocument=ALLOW_ECR)
    key = iam.create_access_key(UserName="registry-config-ci")["AccessKey"]
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/registry-config-ci"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    role = iam.create_role(RoleName="ecr-pull", AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName="ecr-pull", PolicyName="ecr", PolicyDocument=ALLOW_ECR)

    # From here on moto checks every request's signature and IAM policy.
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
    )
    urllib.request.urlopen(request).read()

    key_id, secret = key["AccessKeyId"], key["SecretAccessKey"]
    ecr = client("ecr", endpoint, key_id, secret)
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    assumed = client("sts", endpoint, key_id, secret).assume_role(
        RoleArn=role["Arn"], RoleSessionName="registry-config"
    )["Credentials"]
    temporary = client(
        "ecr", endpoint, assumed["AccessKeyId"], assumed["SecretAccessKey"], assumed["SessionToken"]
    )
    session_token = temporary.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    print(
        json.dumps(
            {
                "accessKeyId": key_id,
                "secretAccessKey": secret,
                "token": token,
                "session": {
                    "accessKeyId": assumed["AccessKeyId"],
                    "secretAccessKey": assumed["SecretAccessKey"],
                    "sessionToken": assumed["SessionToken"],
                    "token": session_token,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
