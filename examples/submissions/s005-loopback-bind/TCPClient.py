# Lab 3 - TCPClient.py (task 2: RTT from the connection request)
import os
import sys
import time
from socket import *

serverName = os.getenv('SERVER_HOST', 'server')
serverPort = int(os.getenv('SERVER_PORT', '12000'))

clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.settimeout(2)
sentence = input('Input lowercase sentence: ').encode()

sendTime = time.time()
try:
    clientSocket.connect((serverName, serverPort))
    clientSocket.sendall(sentence)
    modifiedSentence = b''
    while len(modifiedSentence) < len(sentence):
        part = clientSocket.recv(2048)
        if not part:
            break
        modifiedSentence += part
except timeout:
    print('Error: request timed out after 2 s, no server?')
    sys.exit(1)
except OSError as e:
    print('Error:', e)
    sys.exit(1)
recvTime = time.time()

print()
print('From Server:', modifiedSentence.decode())
print('Connection request sent at:', time.ctime(sendTime))
print('Reply received at:', time.ctime(recvTime))
print('RTT: %.6f s' % (recvTime - sendTime))
clientSocket.close()
