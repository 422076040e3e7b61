# TCPClient.py - task 2
import os
import sys
import time
from datetime import datetime
from socket import *

serverName = os.environ.get('SERVER_HOST', 'server')
serverPort = int(os.environ.get('SERVER_PORT', '12000'))

clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.settimeout(2)
sentence = input('Input lowercase sentence: ').encode()

t_send = datetime.now()  # connection request
try:
    clientSocket.connect((serverName, serverPort))
    clientSocket.sendall(sentence)
    clientSocket.shutdown(SHUT_WR)
    modifiedSentence = b''
    while len(modifiedSentence) < len(sentence):
        chunk = clientSocket.recv(2048)
        if not chunk:
            break
        modifiedSentence += chunk
except OSError as e:
    sys.exit('TCP client error: ' + str(e))
t_recv = datetime.now()

print()
print('From Server:', modifiedSentence.decode())
print('Sent:', t_send.isoformat(sep=' '))
print('Received:', t_recv.isoformat(sep=' '))
print('RTT:', (t_recv - t_send).total_seconds() * 1000, 'ms')
clientSocket.close()
